// brainox's CPU kernel for event-driven propagation (an XLA FFI handler):
// the row additions of _event_rows.h over a spike vector, into an accumulator.
// The output aliases `into` (the caller passes input_output_aliases), so the
// additions go straight into the accumulator, such as a synapse's conductance.
#include <cstdint>
#include <cstring>
#include <vector>

#include "_event_rows.h"
#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

namespace {

using brainox_rows::AddSpikingRows;
using brainox_rows::Rows;

template <typename T>
ffi::Error Run(ffi::AnyBuffer spikes, ffi::AnyBuffer targets,
               ffi::Buffer<ffi::S32> offsets, ffi::AnyBuffer weight,
               ffi::AnyBuffer into, ffi::Result<ffi::AnyBuffer> out) {
  const int64_t n_pre = static_cast<int64_t>(spikes.element_count());
  const int64_t n_post = static_cast<int64_t>(out->element_count());
  const bool per_synapse = weight.element_count() != 1;
  const auto weight_shape = weight.dimensions();
  if (out->dimensions().size() != 1 ||
      into.element_count() != out->element_count() ||
      offsets.element_count() != static_cast<size_t>(n_pre + 1) ||
      (per_synapse &&
       (weight_shape.size() != 2 || weight_shape[0] != n_pre))) {
    return ffi::Error::InvalidArgument(
        "brainox event scatter: spikes, offsets, weights and accumulator do "
        "not match");
  }
  const Rows rows{targets.untyped_data(), offsets.typed_data(),
                  static_cast<int64_t>(targets.element_count()), n_post,
                  per_synapse ? weight_shape[1] : 0};
  T* result = out->typed_data<T>();
  // The output aliases the accumulator; copy only if XLA did not alias them.
  if (result != into.typed_data<T>()) {
    std::memcpy(result, into.typed_data<T>(), sizeof(T) * n_post);
  }
  const T* s = spikes.typed_data<T>();
  const T* w = weight.typed_data<T>();
  // Room for the indices of the spiking neurons, kept between calls.
  static thread_local std::vector<int64_t> found;
  if (found.size() < static_cast<size_t>(n_pre)) found.resize(n_pre);
  const bool valid =
      targets.element_type() == ffi::U16
          ? AddSpikingRows<T, uint16_t>(s, n_pre, rows, w, per_synapse, result,
                                        found.data())
          : AddSpikingRows<T, int32_t>(s, n_pre, rows, w, per_synapse, result,
                                       found.data());
  if (!valid) {
    return ffi::Error::InvalidArgument(
        "brainox event scatter: a row lies outside the targets or the weights");
  }
  return ffi::Error::Success();
}

ffi::Error EventScatter(ffi::AnyBuffer spikes, ffi::AnyBuffer targets,
                        ffi::Buffer<ffi::S32> offsets, ffi::AnyBuffer weight,
                        ffi::AnyBuffer into, ffi::Result<ffi::AnyBuffer> out) {
  const auto dtype = spikes.element_type();
  if (weight.element_type() != dtype || into.element_type() != dtype ||
      out->element_type() != dtype) {
    return ffi::Error::InvalidArgument(
        "brainox event scatter: spikes, weights and accumulator differ in dtype");
  }
  if (targets.element_type() != ffi::U16 && targets.element_type() != ffi::S32) {
    return ffi::Error::InvalidArgument(
        "brainox event scatter: targets must be uint16 or int32");
  }
  switch (dtype) {
    case ffi::F32:
      return Run<float>(spikes, targets, offsets, weight, into, out);
    case ffi::F64:
      return Run<double>(spikes, targets, offsets, weight, into, out);
    default:
      return ffi::Error::InvalidArgument(
          "brainox event scatter: only float32 and float64 are supported");
  }
}

}  // namespace

XLA_FFI_DEFINE_HANDLER_SYMBOL(BrainoxEventScatter, EventScatter,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::AnyBuffer>()         // spikes
                                  .Arg<ffi::AnyBuffer>()         // targets
                                  .Arg<ffi::Buffer<ffi::S32>>()  // offsets
                                  .Arg<ffi::AnyBuffer>()         // weight
                                  .Arg<ffi::AnyBuffer>()         // into
                                  .Ret<ffi::AnyBuffer>());       // out
