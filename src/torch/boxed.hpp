// Operators whose long argument lists are structs in C++: kernels take the
// struct, and each struct's fields are listed once, in the schema's order,
// by a for_each_field overload next to it. These templates move a struct
// to and from the dispatcher's stack, so neither a kernel nor a caller
// spells the flat list out.
#ifndef MISH_SRC_TORCH_BOXED_HPP_
#define MISH_SRC_TORCH_BOXED_HPP_

#include <ATen/core/Tensor.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <c10/util/Exception.h>

#include <array>
#include <cstddef>
#include <tuple>

namespace mish::torch::detail {

// Fields as the stack holds them: an undefined tensor is, as an argument, an
// absent optional one (None) and, as an output, itself (as an unboxed
// kernel returns it); a bool[N] is a list.
inline c10::IValue to_ivalue(const at::Tensor& t) {
  return t.defined() ? c10::IValue(t) : c10::IValue();
}
inline c10::IValue to_output(const at::Tensor& t) { return c10::IValue(t); }
inline c10::IValue to_ivalue(bool b) { return c10::IValue(b); }
inline c10::IValue to_ivalue(double d) { return c10::IValue(d); }
template <size_t kN>
c10::IValue to_ivalue(const std::array<bool, kN>& a) {
  c10::List<bool> list;
  for (bool b : a) list.push_back(b);
  return c10::IValue(list);
}

inline void from_ivalue(const c10::IValue& v, at::Tensor& t) {
  t = v.isNone() ? at::Tensor() : v.toTensor();
}
inline void from_ivalue(const c10::IValue& v, bool& b) { b = v.toBool(); }
inline void from_ivalue(const c10::IValue& v, double& d) { d = v.toDouble(); }
template <size_t kN>
void from_ivalue(const c10::IValue& v, std::array<bool, kN>& a) {
  const c10::List<bool> list = v.toBoolList();
  TORCH_CHECK(list.size() == kN, "expected ", kN, " flags, got ", list.size());
  for (size_t i = 0; i < kN; ++i) a[i] = list.get(i);
}

// An operator with one Tensor output returns it as it is.
template <class Fn>
void for_each_field(at::Tensor& t, Fn&& fn) {
  fn(t);
}

template <class Struct>
size_t field_count() {
  Struct s;
  size_t n = 0;
  for_each_field(s, [&](auto& /*field*/) { ++n; });
  return n;
}

// The last `count` values of the stack (as many as the struct's fields,
// which must be the schema's count) into a struct; dropped from the stack.
template <class Struct>
Struct pop_struct(::torch::jit::Stack& stack, size_t count) {
  TORCH_INTERNAL_ASSERT(count == field_count<Struct>() && count <= stack.size(),
                        "mish: the schema has ", count,
                        " values where the C++ struct has ",
                        field_count<Struct>());
  Struct s;
  size_t i = stack.size() - count;
  for_each_field(s, [&](auto& field) { from_ivalue(stack[i++], field); });
  ::torch::jit::drop(stack, count);
  return s;
}

template <class Struct>
void push_arguments(Struct s, ::torch::jit::Stack& stack) {
  for_each_field(s, [&](auto& field) { stack.push_back(to_ivalue(field)); });
}

template <class Struct>
void push_outputs(Struct s, ::torch::jit::Stack& stack) {
  for_each_field(s, [&](at::Tensor& t) { stack.push_back(to_output(t)); });
}

// A kernel of Outputs(const Arguments&) as a boxed kernel:
// m.impl("op", torch::CppFunction::makeFromBoxedFunction<
//                  &boxed<Arguments, Outputs, fn>>()).
template <class Arguments, class Outputs, Outputs (*kFn)(const Arguments&)>
void boxed(const c10::OperatorHandle& op, ::torch::jit::Stack* stack) {
  TORCH_INTERNAL_ASSERT(field_count<Outputs>() == op.schema().returns().size(),
                        "mish: the schema returns ",
                        op.schema().returns().size(),
                        " values where the C++ "
                        "struct has ",
                        field_count<Outputs>());
  const Outputs out =
      kFn(pop_struct<Arguments>(*stack, op.schema().arguments().size()));
  push_outputs(out, *stack);
}

// An operator through the dispatcher, from C++.
template <class Outputs, class Arguments>
Outputs call(const c10::OperatorHandle& op, const Arguments& args) {
  ::torch::jit::Stack stack;
  push_arguments(args, stack);
  op.callBoxed(&stack);
  return pop_struct<Outputs>(stack, op.schema().returns().size());
}

}  // namespace mish::torch::detail

#endif  // MISH_SRC_TORCH_BOXED_HPP_
