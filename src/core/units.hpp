// Strong unit types. A quantity's dimension is part of its type, so a roofline
// that divides FLOP/s by bytes does not compile. All values are SI: bytes,
// FLOP (or ops), seconds, joules, US dollars.
#pragma once

#include <cmath>
#include <compare>

namespace gpugap {

template <int B, int F, int S, int J, int D>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(double v) : v_(v) {}
  [[nodiscard]] constexpr double value() const { return v_; }

  constexpr Quantity& operator+=(Quantity o) { v_ += o.v_; return *this; }
  constexpr Quantity& operator-=(Quantity o) { v_ -= o.v_; return *this; }
  constexpr Quantity& operator*=(double k) { v_ *= k; return *this; }
  friend constexpr Quantity operator+(Quantity a, Quantity b) { return Quantity(a.v_ + b.v_); }
  friend constexpr Quantity operator-(Quantity a, Quantity b) { return Quantity(a.v_ - b.v_); }
  friend constexpr Quantity operator*(Quantity a, double k) { return Quantity(a.v_ * k); }
  friend constexpr Quantity operator*(double k, Quantity a) { return Quantity(a.v_ * k); }
  friend constexpr Quantity operator/(Quantity a, double k) { return Quantity(a.v_ / k); }
  // Same dimension divided: a plain ratio.
  friend constexpr double operator/(Quantity a, Quantity b) { return a.v_ / b.v_; }
  friend constexpr auto operator<=>(Quantity a, Quantity b) = default;

 private:
  double v_ = 0.0;
};

template <int B1, int F1, int S1, int J1, int D1, int B2, int F2, int S2, int J2, int D2>
constexpr auto operator*(Quantity<B1, F1, S1, J1, D1> a, Quantity<B2, F2, S2, J2, D2> b) {
  return Quantity<B1 + B2, F1 + F2, S1 + S2, J1 + J2, D1 + D2>(a.value() * b.value());
}
template <int B1, int F1, int S1, int J1, int D1, int B2, int F2, int S2, int J2, int D2>
  requires(B1 != B2 || F1 != F2 || S1 != S2 || J1 != J2 || D1 != D2)
constexpr auto operator/(Quantity<B1, F1, S1, J1, D1> a, Quantity<B2, F2, S2, J2, D2> b) {
  return Quantity<B1 - B2, F1 - F2, S1 - S2, J1 - J2, D1 - D2>(a.value() / b.value());
}

using Bytes = Quantity<1, 0, 0, 0, 0>;
using BytesPerSecond = Quantity<1, 0, -1, 0, 0>;
using Flops = Quantity<0, 1, 0, 0, 0>;
using FlopsPerSecond = Quantity<0, 1, -1, 0, 0>;
using Seconds = Quantity<0, 0, 1, 0, 0>;
using Joules = Quantity<0, 0, 0, 1, 0>;
using Watts = Quantity<0, 0, -1, 1, 0>;
using Usd = Quantity<0, 0, 0, 0, 1>;
using UsdPerJoule = Quantity<0, 0, 0, -1, 1>;
using UsdPerSecond = Quantity<0, 0, -1, 0, 1>;

template <class Q>
constexpr Q max(Q a, Q b) { return a < b ? b : a; }
template <class Q>
constexpr Q min(Q a, Q b) { return a < b ? a : b; }

inline constexpr double kSecondsPerHour = 3600.0;
inline constexpr double kJoulesPerKwh = 3.6e6;
inline constexpr double kHoursPerYear = 8760.0;

}  // namespace gpugap
