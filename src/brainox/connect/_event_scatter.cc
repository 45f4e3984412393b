// brainox's CPU kernel for event-driven propagation (an XLA FFI handler).
//
// For every presynaptic neuron i whose spike s[i] is nonzero, in ascending i,
// and every entry k of its table row, in ascending k:
//
//     out[indices[i, k]] += w(i, k) * s[i]
//
// starting from the accumulator `into`, where w is a scalar weight or one per
// synapse. Targets outside [0, n_post) are padding and skipped. The output
// aliases `into` (the caller passes input_output_aliases), so the additions go
// straight into the accumulator, such as a synapse's conductance, with no
// separate sum to clear and add. The order of the additions is that of the XLA
// loop of bx.connect.EventDriven, so both give the same sums bit for bit. The
// work is one pass over the spike vector plus one addition per synapse of a
// spiking neuron.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

namespace {

// The unsigned integer of a float's width, to test blocks of spikes for zero.
template <typename T>
using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;

template <typename T>
void AddRow(const int32_t* targets, const T* weight, bool per_synapse, T s,
            int64_t degree, int64_t n_post, T* out) {
  for (int64_t k = 0; k < degree; ++k) {
    const int64_t target = targets[k];
    if (target < 0 || target >= n_post) continue;
    out[target] += (per_synapse ? weight[k] : weight[0]) * s;
  }
}

template <typename T>
void AddSpikingRows(const T* spikes, const int32_t* indices, const T* weight,
                    bool per_synapse, int64_t n_pre, int64_t degree,
                    int64_t n_post, T* out) {
  // Spikes are sparse: test blocks of them at once (OR of the bit patterns
  // without the sign bit, so that -0.0 counts as zero) and look inside a block
  // only when it holds a spike. The block test has a fixed trip count, so the
  // compiler unrolls and vectorises it; a shorter last block takes the loop
  // with a variable bound.
  constexpr int64_t kBlock = 32;
  const Bits<T>* bits = reinterpret_cast<const Bits<T>*>(spikes);
  for (int64_t start = 0; start < n_pre; start += kBlock) {
    Bits<T> any = 0;
    if (start + kBlock <= n_pre) {
      for (int64_t i = 0; i < kBlock; ++i) any |= bits[start + i] << 1;
    } else {
      for (int64_t i = start; i < n_pre; ++i) any |= bits[i] << 1;
    }
    if (any == 0) continue;
    const int64_t end = start + kBlock < n_pre ? start + kBlock : n_pre;
    for (int64_t i = start; i < end; ++i) {
      const T s = spikes[i];
      if (s == T(0)) continue;
      const int64_t row = i * degree;
      AddRow<T>(indices + row, per_synapse ? weight + row : weight,
                per_synapse, s, degree, n_post, out);
    }
  }
}

template <typename T>
ffi::Error Run(ffi::AnyBuffer spikes, ffi::Buffer<ffi::S32> indices,
               ffi::AnyBuffer weight, ffi::AnyBuffer into,
               ffi::Result<ffi::AnyBuffer> out) {
  const auto table = indices.dimensions();
  if (table.size() != 2 || out->dimensions().size() != 1 ||
      into.element_count() != out->element_count()) {
    return ffi::Error::InvalidArgument(
        "brainox event scatter: expected a 2-D table and a 1-D accumulator");
  }
  const int64_t n_pre = table[0];
  const int64_t degree = table[1];
  const int64_t n_post = out->dimensions()[0];
  const bool per_synapse = weight.element_count() != 1;
  if (spikes.element_count() != static_cast<size_t>(n_pre) ||
      (per_synapse &&
       weight.element_count() != static_cast<size_t>(n_pre * degree))) {
    return ffi::Error::InvalidArgument(
        "brainox event scatter: spikes or weights do not match the table");
  }
  T* result = out->typed_data<T>();
  // The output aliases the accumulator; copy only if XLA did not alias them.
  if (result != into.typed_data<T>()) {
    std::memcpy(result, into.typed_data<T>(), sizeof(T) * n_post);
  }
  AddSpikingRows<T>(spikes.typed_data<T>(), indices.typed_data(),
                    weight.typed_data<T>(), per_synapse, n_pre, degree, n_post,
                    result);
  return ffi::Error::Success();
}

ffi::Error EventScatter(ffi::AnyBuffer spikes, ffi::Buffer<ffi::S32> indices,
                        ffi::AnyBuffer weight, ffi::AnyBuffer into,
                        ffi::Result<ffi::AnyBuffer> out) {
  const auto dtype = spikes.element_type();
  if (weight.element_type() != dtype || into.element_type() != dtype ||
      out->element_type() != dtype) {
    return ffi::Error::InvalidArgument(
        "brainox event scatter: spikes, weights and accumulator differ in dtype");
  }
  switch (dtype) {
    case ffi::F32:
      return Run<float>(spikes, indices, weight, into, out);
    case ffi::F64:
      return Run<double>(spikes, indices, weight, into, out);
    default:
      return ffi::Error::InvalidArgument(
          "brainox event scatter: only float32 and float64 are supported");
  }
}

}  // namespace

XLA_FFI_DEFINE_HANDLER_SYMBOL(BrainoxEventScatter, EventScatter,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::AnyBuffer>()         // spikes
                                  .Arg<ffi::Buffer<ffi::S32>>()  // indices
                                  .Arg<ffi::AnyBuffer>()         // weight
                                  .Arg<ffi::AnyBuffer>()         // into
                                  .Ret<ffi::AnyBuffer>());       // out
