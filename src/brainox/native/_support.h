// Helpers of the C++ that brainox.native_step generates: the XLA semantics of
// the primitives where C++'s differ (NaN in max/min, saturating float-to-int
// conversion, integer powers by repeated squaring, as XLA lowers them).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

// Vector variants of the math functions (glibc's libmvec on x86-64, within
// 4 ulp), so that loops calling them vectorise; glibc declares them only
// under -ffast-math, which would also drop NaN semantics.
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 22)
#define BRAINOX_SIMD __attribute__((__simd__("notinbranch")))
// The float and the double variant of a function of `args` (one or two).
#define BRAINOX_SIMD_PAIR(name, args_f, args_d) \
  BRAINOX_SIMD float name##f args_f noexcept;   \
  BRAINOX_SIMD double name args_d noexcept;
extern "C" {
BRAINOX_SIMD_PAIR(exp, (float), (double))
BRAINOX_SIMD_PAIR(log, (float), (double))
BRAINOX_SIMD_PAIR(sin, (float), (double))
BRAINOX_SIMD_PAIR(cos, (float), (double))
BRAINOX_SIMD_PAIR(pow, (float, float), (double, double))
#if __GLIBC_PREREQ(2, 35)
BRAINOX_SIMD_PAIR(expm1, (float), (double))
BRAINOX_SIMD_PAIR(log1p, (float), (double))
BRAINOX_SIMD_PAIR(tanh, (float), (double))
#endif
}
#undef BRAINOX_SIMD_PAIR
#undef BRAINOX_SIMD
#endif
#endif

namespace brainox_step {

// XLA's max and min: NaN wins, and +0 is above -0.
template <typename T>
inline T Max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return std::signbit(a) ? b : a;
  }
  return a > b ? a : b;
}

template <typename T>
inline T Min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return std::signbit(a) ? a : b;
  }
  return a < b ? a : b;
}

// XLA's integer division and remainder, defined everywhere: x / 0 is -1 (all
// bits set), x % 0 is x, and MIN / -1 is MIN with remainder 0 (C++ traps).
// Both divide by 1 instead where XLA defines the result itself.
template <typename T>
inline bool DivisionOverflows(T a, T b) {
  if constexpr (std::is_signed_v<T>) {
    return a == std::numeric_limits<T>::min() && b == T(-1);
  } else {
    return false;
  }
}

template <typename T>
inline T Div(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    const bool overflow = DivisionOverflows(a, b);
    const T q = T(a / ((b == T(0) || overflow) ? T(1) : b));
    return b == T(0) ? T(-1) : (overflow ? a : q);
  } else {
    return a / b;
  }
}

template <typename T>
inline T Rem(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    const bool overflow = DivisionOverflows(a, b);
    const T r = T(a % ((b == T(0) || overflow) ? T(1) : b));
    return b == T(0) ? a : (overflow ? T(0) : r);
  } else {
    return std::fmod(a, b);
  }
}

template <typename T>
inline T Sign(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);  // keeps NaN and -0.0
  } else {
    return T((x > T(0)) - (x < T(0)));
  }
}

template <typename To, typename From>
inline To Convert(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_same_v<From, bool>) {
    return x ? To(1) : To(0);  // a select, which GCC vectorises; a cast is not
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    if (x != x) return To(0);
    if (x <= From(std::numeric_limits<To>::min())) {
      return std::numeric_limits<To>::min();
    }
    if (x >= From(std::numeric_limits<To>::max())) {
      return std::numeric_limits<To>::max();
    }
    return To(x);
  } else {
    return To(x);
  }
}

// x^y for a constant integer y: the product of repeated squares, in the order
// of XLA's lowering of lax.integer_pow (so float results match it), unrolled
// at compile time (a loop here would keep the neuron loop from vectorising).
template <int Y, bool Started, typename T>
inline T PowerSteps(T acc, T x) {
  T next = acc;
  if constexpr ((Y & 1) != 0) {
    if constexpr (Started) {
      next = acc * x;
    } else {
      next = x;
    }
  }
  if constexpr ((Y >> 1) > 0) {
    return PowerSteps<(Y >> 1), Started || ((Y & 1) != 0)>(next, x * x);
  } else {
    return next;
  }
}

template <int Y, typename T>
inline T IntegerPow(T x) {
  constexpr int kAbs = Y < 0 ? -Y : Y;
  if constexpr (kAbs == 0) {
    return T(1);
  } else if constexpr (Y < 0) {
    return T(1) / PowerSteps<kAbs, false>(T(0), x);
  } else {
    return PowerSteps<kAbs, false>(T(0), x);
  }
}

}  // namespace brainox_step
