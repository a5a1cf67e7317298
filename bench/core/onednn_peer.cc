// oneDNN's eltwise_mish for mish-bench-cpu (onednn_peer.h).
#include "onednn_peer.h"

#include <omp.h>
#include <string.h>

#include <oneapi/dnnl/dnnl.hpp>

namespace mish::bench {

bool LimitOneDnn(const char* target) {
  using dnnl::cpu_isa;
  const bool avx3 = !strcmp(target, "AVX3") || !strcmp(target, "AVX3_NO_BF16");
  const cpu_isa isa = avx3                      ? cpu_isa::avx512_core
                      : !strcmp(target, "AVX2") ? cpu_isa::avx2
                      : !strcmp(target, "SSE4") ? cpu_isa::sse41
                                                : cpu_isa::all;
  if (isa == cpu_isa::all) return false;
  dnnl::set_max_cpu_isa(isa);
  return true;
}

std::string OneDnnVersion() {
  return std::to_string(dnnl::version()->major) + "." +
         std::to_string(dnnl::version()->minor);
}

struct OneDnnMish::Primitives {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::memory::desc md;
  dnnl::eltwise_forward::primitive_desc fwd_pd;
  dnnl::eltwise_forward fwd;
  dnnl::eltwise_backward bwd;
  dnnl::memory x, y, dy, dx;
  Primitives(float* xp, float* yp, float* dyp, float* dxp, size_t n)
      : md({static_cast<dnnl::memory::dim>(n)}, dnnl::memory::data_type::f32,
           dnnl::memory::format_tag::a),
        fwd_pd({dnnl::prop_kind::forward_training,
                dnnl::algorithm::eltwise_mish, md, 0.0f, 0.0f},
               eng),
        fwd(fwd_pd),
        bwd(dnnl::eltwise_backward::primitive_desc(
            {dnnl::algorithm::eltwise_mish, md, md, 0.0f, 0.0f}, eng, fwd_pd)),
        x(md, eng, xp),
        y(md, eng, yp),
        dy(md, eng, dyp),
        dx(md, eng, dxp) {}
};

OneDnnMish::OneDnnMish(float* x, float* y, float* dy, float* dx, size_t n) {
  omp_set_num_threads(1);  // the kernels are compared on one thread
  p_ = std::make_unique<Primitives>(x, y, dy, dx, n);
}

OneDnnMish::~OneDnnMish() = default;

void OneDnnMish::Forward() {
  p_->fwd.execute(p_->strm, {{DNNL_ARG_SRC, p_->x}, {DNNL_ARG_DST, p_->y}});
  p_->strm.wait();
}

void OneDnnMish::Backward() {
  p_->bwd.execute(p_->strm, {{DNNL_ARG_SRC, p_->x},
                             {DNNL_ARG_DIFF_DST, p_->dy},
                             {DNNL_ARG_DIFF_SRC, p_->dx}});
  p_->strm.wait();
}

}  // namespace mish::bench
