#pragma once

// What one training run trains with, each setting declared once (see
// common/setting.hpp for the columns). An experiment may vary some of them
// per run (ablate: optimizer, schedule, sa; init: init).

#include <string>

#include "common/setting.hpp"
#include "train/models.hpp"
#include "train/optimizers.hpp"
#include "train/schedules.hpp"

namespace mishlab {

// clang-format off
#define MISHLAB_TRAIN_SETTINGS(X)                                              \
  X(std::string, model, "cnn", "--model", kStored, Check::one_of(model_names), \
    "Network (see `mish-lab activations`)")                                    \
  X(int, width, 500, "--width", kStored, Check::range(1, 65536),               \
    "Units per block of the depth test's network (the paper: 500); "          \
    "channels of the U-Net's first level and the autoencoder's first layer")  \
  X(double, widen, 1.0, "--widen", kStored, Check::range(0.05, 8),             \
    "XResNet and CSPDarknet width multiplier")                                 \
  X(bool, sa, false, "--sa", kStored, Check::any(),                            \
    "SimpleSelfAttention in the last block of XResNet's first stage")          \
  X(std::string, init, "default", "--init", kStored,                           \
    Check::one_of(init_names), "Weight initialiser")                           \
  X(std::string, optimizer, "adam", "--optimizer", kStored,                    \
    Check::one_of(optimizer_names), "Optimizer")                               \
  X(std::string, schedule, "constant", "--schedule", kStored,                  \
    Check::one_of(schedule_names), "Learning-rate schedule")                   \
  X(double, lr, 1e-3, "--lr", kStored, Check::above(0, 100), "Learning rate")  \
  X(double, momentum, 0.9, "--momentum", kStored, Check::range(0, 1),          \
    "Momentum (SGD)")                                                          \
  X(double, weight_decay, 0.0, "--weight-decay", kStored, Check::range(0, 100),\
    "Weight decay")                                                            \
  X(bool, gc, false, "--gc", kStored, Check::any(),                            \
    "Gradient centralisation (Ranger, RAdam)")                                 \
  X(int, batch_size, 128, "--batch-size", kStored,                             \
    Check::range(2, 1 << 20), "Examples per step")                             \
  X(int, epochs, 2, "--epochs", kStored, Check::range(1, 100000),              \
    "Training epochs per run")                                                 \
  X(double, label_smoothing, 0.0, "--label-smoothing", kStored,                \
    Check::range(0, 0.99), "Label smoothing of the training loss")             \
  X(bool, fused_bn_mish, false, "--fused-bn-mish", kStored, Check::any(),     \
    "Mish runs of cnn, resnet20, xresnet* and cspdarknet53: batch norm and "   \
    "Mish (after a residual addition too, with a projection shortcut's batch " \
    "norm) as one fused layer that keeps only its inputs for the backward "    \
    "pass (less memory, same maths)")                                          \
  X(std::string, precision, "float32", "--precision", kStored,                 \
    Check::one_of(precisions),                                                 \
    "bf16: on CUDA, forward passes under bfloat16 autocast with "              \
    "channels-last inputs (tensor cores); CPU runs stay float32")
// clang-format on

// "float32", "bf16".
std::vector<std::string> precisions();

struct TrainSettings {
  MISHLAB_SETTINGS_STRUCT_BODY(MISHLAB_TRAIN_SETTINGS)
};

}  // namespace mishlab
