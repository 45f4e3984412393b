// The row additions of brainox's event-driven propagation, shared by the
// kernel of bx.connect.EventDriven (_event_scatter.cc) and the fused steps
// that bx.native_step generates.
//
// Row i of the connectivity is targets[offsets[i] : offsets[i + 1]]. For every
// presynaptic neuron i whose spike s[i] is nonzero, in ascending i, and every
// entry k of its row, in ascending k:
//
//     out[targets[offsets[i] + k]] += w(i, k) * s[i]
//
// starting from the accumulator `into`, where w is a scalar weight or one per
// synapse, stored in the padded table's shape (n_pre, width), so that entry k
// of row i is w[i, k]. Targets outside [0, n_post) are padding and skipped.
// Two layouts pass through the same code: the padded table itself (offsets
// i * width) and its compact rows (no padding, 16-bit targets when n_post
// allows), which take a fraction of the memory and so of the cache misses.
// The order of the additions is that of the XLA loop of bx.connect.EventDriven,
// so both give the same sums bit for bit. The work is one pass over the spike
// vector plus one addition per synapse of a spiking neuron.
#pragma once

#include <cstdint>
#include <type_traits>

namespace brainox_rows {

// The unsigned integer of a float's width, to test blocks of spikes for zero.
template <typename T>
using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;

struct Rows {
  const void* targets;  // uint16_t or int32_t
  const int32_t* offsets;
  int64_t n_targets;
  int64_t n_post;
  int64_t width;  // of a per-synapse weight: entry k of row i is w[i * width + k]
};

template <typename T, typename Index>
void AddRow(const Rows& rows, const T* weight, bool per_synapse, int64_t i,
            T s, T* out) {
  const Index* targets = static_cast<const Index*>(rows.targets);
  const int64_t begin = rows.offsets[i];
  const int64_t length = rows.offsets[i + 1] - begin;
  const T* w = per_synapse ? weight + i * rows.width : weight;
  for (int64_t k = 0; k < length; ++k) {
    const int64_t target = targets[begin + k];
    if (target < 0 || target >= rows.n_post) continue;
    out[target] += (per_synapse ? w[k] : w[0]) * s;
  }
}

// Asks the memory system for the rows (and weights) of the spikes found, so
// that their cache misses overlap instead of coming one row at a time.
template <typename T, typename Index>
void Prefetch(const Rows& rows, const T* weight, bool per_synapse,
              const int64_t* found, int64_t n_found) {
  constexpr int64_t kLine = 64;
  for (int64_t j = 0; j < n_found; ++j) {
    const int64_t i = found[j];
    const Index* targets = static_cast<const Index*>(rows.targets);
    const char* first = reinterpret_cast<const char*>(targets + rows.offsets[i]);
    const char* last = reinterpret_cast<const char*>(targets + rows.offsets[i + 1]);
    for (const char* p = first; p < last; p += kLine) __builtin_prefetch(p);
    if (per_synapse) {
      const char* w = reinterpret_cast<const char*>(weight + i * rows.width);
      const int64_t bytes = (rows.offsets[i + 1] - rows.offsets[i]) * sizeof(T);
      for (int64_t b = 0; b < bytes; b += kLine) __builtin_prefetch(w + b);
    }
  }
}

// Whether row i lies inside the targets and, with per-synapse weights, inside
// its row of the weights (checked for the rows that are read).
inline bool ValidRow(const Rows& rows, int64_t i, bool per_synapse) {
  const int64_t begin = rows.offsets[i];
  const int64_t end = rows.offsets[i + 1];
  return 0 <= begin && begin <= end && end <= rows.n_targets &&
         (!per_synapse || end - begin <= rows.width);
}

// The rows of the spiking neurons found[0 : n_found] (ascending), added into
// `out`: all rows are checked, then prefetched in batches, then added in order.
template <typename T, typename Index>
bool AddRowsOf(const Rows& rows, const T* spikes, const int64_t* found,
               int64_t n_found, const T* weight, bool per_synapse, T* out) {
  constexpr int64_t kBatch = 64;
  for (int64_t j = 0; j < n_found; ++j) {
    if (!ValidRow(rows, found[j], per_synapse)) return false;
  }
  for (int64_t first = 0; first < n_found; first += kBatch) {
    const int64_t count = n_found - first < kBatch ? n_found - first : kBatch;
    Prefetch<T, Index>(rows, weight, per_synapse, found + first, count);
    for (int64_t j = first; j < first + count; ++j) {
      AddRow<T, Index>(rows, weight, per_synapse, found[j], spikes[found[j]], out);
    }
  }
  return true;
}

// Writes the indices of the nonzero spikes, ascending, into `found` (room for
// n_pre) and returns their number. Spikes are sparse: blocks of them are
// tested at once (OR of the bit patterns without the sign bit, so that -0.0
// counts as zero), and a block is looked into only when it holds a spike. The
// block test has a fixed trip count, so the compiler unrolls and vectorises
// it; a shorter last block takes the loop with a variable bound.
template <typename T>
int64_t FindSpikes(const T* spikes, int64_t n_pre, int64_t* found) {
  constexpr int64_t kBlock = 32;
  int64_t n_found = 0;
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
      if (spikes[i] != T(0)) found[n_found++] = i;
    }
  }
  return n_found;
}

// One table's rows of all nonzero spikes, with `found` as scratch (n_pre).
template <typename T, typename Index>
bool AddSpikingRows(const T* spikes, int64_t n_pre, const Rows& rows,
                    const T* weight, bool per_synapse, T* out, int64_t* found) {
  const int64_t n_found = FindSpikes<T>(spikes, n_pre, found);
  return AddRowsOf<T, Index>(rows, spikes, found, n_found, weight, per_synapse,
                             out);
}

}  // namespace brainox_rows
