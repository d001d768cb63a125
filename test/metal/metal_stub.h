// The pieces of the Metal Shading Language that tinyir's MSL kernels use, declared for a C++17
// compiler, so that `g++ -std=c++17 -fsyntax-only -include metal_stub.h KERNEL.metal` checks the
// syntax and the types of emitted kernels. A syntax and type check only: nothing here runs, and
// Metal's own compiler may still reject what g++ accepts (or the reverse, for Metal-only rules).
#pragma once
#include <cmath>    // INFINITY, NAN (metal_stdlib has them too)
#include <cstring>

// MSL's attributes, [[buffer(n)]], [[thread_position_in_grid]], [[threadgroup_position_in_grid]] and
// [[thread_position_in_threadgroup]], are unknown to g++: ignored.
#pragma GCC diagnostic ignored "-Wattributes"

// Function and address-space qualifiers.
#define kernel
#define device
#define constant
#define threadgroup
#define thread

typedef unsigned int uint;
typedef unsigned char uchar;
typedef unsigned short ushort;  // DTYPES: MSL's 16- and 64-bit integers (long is 64 bits in MSL)
typedef unsigned long ulong;
typedef _Float16 half;
struct uint3 { uint x, y, z; };

// Vector types (float4 and the like, as vector loads and stores use them): lanes .x .y .z .w,
// built from their lanes.
template <typename T, int N> struct vec;
template <typename T> struct vec<T, 2> {
  T x, y;
  vec() = default;
  vec(T a, T b) : x(a), y(b) {}
  T& operator[](int i) { return i ? y : x; }  // as simdgroup_matrix's thread_elements() is indexed
};
template <typename T> struct vec<T, 4> {
  T x, y, z, w;
  vec() = default;
  vec(T a, T b, T c, T d) : x(a), y(b), z(c), w(d) {}
};
typedef vec<float, 2> float2;
typedef vec<float, 4> float4;
typedef vec<half, 2> half2;
typedef vec<half, 4> half4;
typedef vec<int, 2> int2;
typedef vec<int, 4> int4;

// as_type<T>(x): the same bits as another type, which must have the same size.
template <typename T, typename U>
T as_type(U x) {
  static_assert(sizeof(T) == sizeof(U), "as_type needs types of one size");
  T out;
  std::memcpy(&out, &x, sizeof out);
  return out;
}

namespace metal {
float exp2(float x);
half exp2(half x);
float log2(float x);
half log2(half x);
float sin(float x);
half sin(half x);
float sqrt(float x);
half sqrt(half x);
float fmax(float x, float y);
half fmax(half x, half y);
float fmin(float x, float y);
half fmin(half x, half y);
float copysign(float x, float y);
half copysign(half x, half y);
float fmod(float x, float y);
half fmod(half x, half y);
int max(int x, int y);
char max(char x, char y);
uchar max(uchar x, uchar y);
short max(short x, short y);  // DTYPES
ushort max(ushort x, ushort y);
uint max(uint x, uint y);
long max(long x, long y);
ulong max(ulong x, ulong y);

// simdgroup_matrix (MSL 2.3+): an 8 x 8 matrix spread over a SIMD-group, 2 elements per thread.
template <typename T, int Cols, int Rows>
struct simdgroup_matrix {
  vec<T, 2> elements;
  vec<T, 2>& thread_elements() { return elements; }
};
typedef simdgroup_matrix<half, 8, 8> simdgroup_half8x8;
typedef simdgroup_matrix<float, 8, 8> simdgroup_float8x8;
template <typename T, typename U, typename V, typename W, int N>
void simdgroup_multiply_accumulate(simdgroup_matrix<T, N, N>& d, const simdgroup_matrix<U, N, N>& a,
                                   const simdgroup_matrix<V, N, N>& b, const simdgroup_matrix<W, N, N>& c);

// Threadgroup barriers and the memory they fence.
enum class mem_flags { mem_none, mem_device, mem_threadgroup, mem_texture };
void threadgroup_barrier(mem_flags flags);
}  // namespace metal
