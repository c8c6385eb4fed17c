#include "CQuantize.h"
#include <string.h>

#pragma clang fp contract(off)

static inline uint32_t bits(float v) {
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/// Adding 1.5 · 2²³ rounds a float to an integer (half to even) whose two's complement is the low bits.
static const float magic = 12582912.0f;

/// One element: its code into `*c`, code² added to `*norm`, and its error d returned (x − code · scale).
static inline __attribute__((always_inline))
float quantize_one(float v, float inverse, float scale, float max_code, uint8_t *c, int32_t *norm) {
    float y = (bits(v) & 0x7FFFFFFFu) < 0x7F800000u ? v * inverse : 0.0f;
    y = y < -max_code ? -max_code : y;
    y = y > max_code ? max_code : y;
    float t = y + magic;
    *c = (uint8_t)bits(t);
    int32_t code = (int32_t)(bits(t) - bits(magic));
    *norm += code * code;
    return v - (t - magic) * scale;
}

/// Packs a block's int4 codes (one per byte in `block`) two per byte, low nibble first. Blocks start
/// at even elements, so pairs never straddle two blocks.
static inline __attribute__((always_inline))
void pack_nibbles(const uint8_t *block, size_t m, uint8_t *out) {
    for (size_t k = 0; k < (m >> 1); k++) out[k] = (uint8_t)((block[2 * k] & 0x0F) | (block[2 * k + 1] << 4));
    if (m & 1) out[m >> 1] = block[m - 1] & 0x0F;
}

static inline __attribute__((always_inline))
void quantize(const float *x, size_t n, float inverse, float scale, float max_code, int nibbles,
              uint8_t *codes, uint32_t *max_error_bits, double *sum_squares, int64_t *code_squares) {
    uint32_t max_bits = 0;
    double sum = 0;
    int64_t norm = 0;
    uint8_t block[64];
    float diff[64];
    for (size_t i = 0; i < n; i += 64) {
        size_t m = n - i < 64 ? n - i : 64;
        const float *xs = x + i;
        uint8_t *cs = nibbles ? block : codes + i;
        int32_t block_norm = 0;  // at most 64 · 127²
        for (size_t k = 0; k < m; k++) {
            float d = quantize_one(xs[k], inverse, scale, max_code, cs + k, &block_norm);
            diff[k] = d;
            uint32_t e = bits(d) & 0x7FFFFFFFu;
            max_bits = e > max_bits ? e : max_bits;
        }
        if (nibbles) pack_nibbles(block, m, codes + (i >> 1));
        norm += block_norm;
        float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        size_t k = 0;
        for (; k + 8 <= m; k += 8)
            for (int j = 0; j < 8; j++) lanes[j] += diff[k + j] * diff[k + j];
        float tail = 0;
        for (; k < m; k++) tail += diff[k] * diff[k];
        float lane_sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        sum += (double)tail + (double)lane_sum;
    }
    *max_error_bits = max_bits;
    *sum_squares = sum;
    *code_squares = norm;
}

static inline __attribute__((always_inline))
void scan(const float *x, size_t n, uint32_t *max_abs_bits, int *all_finite) {
    // On bit patterns: with the sign cleared a float is finite exactly when below infinity's pattern,
    // and finite magnitudes order as their patterns do: an unsigned max and an OR, which vectorise.
    uint32_t max_bits = 0, non_finite = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t b = bits(x[i]) & 0x7FFFFFFFu;
        uint32_t finite = b < 0x7F800000u;
        uint32_t m = b & (0u - finite);
        max_bits = m > max_bits ? m : max_bits;
        non_finite |= finite ^ 1u;
    }
    *max_abs_bits = max_bits;
    *all_finite = non_finite == 0;
}

void phibench_scan_baseline(const float *x, size_t n, uint32_t *max_abs_bits, int *all_finite) {
    scan(x, n, max_abs_bits, all_finite);
}

void phibench_quantize_baseline(const float *x, size_t n, float inverse, float scale, float max_code, int nibbles,
                                uint8_t *codes, uint32_t *max_error_bits, double *sum_squares, int64_t *code_squares) {
    quantize(x, n, inverse, scale, max_code, nibbles, codes, max_error_bits, sum_squares, code_squares);
}

#if defined(__x86_64__)
#include <immintrin.h>

/// The same arithmetic as `quantize`, written in AVX2 intrinsics: the compiler's own vectorisation of
/// that loop took ~6 instructions an element (byte stores and the strict float order defeat it); this
/// takes ~3. Every operation is the scalar one lane-wise (no FMA, the same order of the eight Σ d² lanes
/// and of their sum), so the codes and figures are bit-identical (a test compares the two compilations).
__attribute__((target("avx2")))
void phibench_quantize_avx2(const float *x, size_t n, float inverse, float scale, float max_code, int nibbles,
                            uint8_t *codes, uint32_t *max_error_bits, double *sum_squares, int64_t *code_squares) {
    const __m256 v_magic = _mm256_set1_ps(magic), v_inverse = _mm256_set1_ps(inverse), v_scale = _mm256_set1_ps(scale);
    const __m256 v_hi = _mm256_set1_ps(max_code), v_lo = _mm256_set1_ps(-max_code);
    const __m256i abs_mask = _mm256_set1_epi32(0x7FFFFFFF), infinity = _mm256_set1_epi32(0x7F800000);
    const __m256i magic_bits = _mm256_set1_epi32((int)bits(magic));
    __m256i v_max = _mm256_setzero_si256();
    uint32_t max_bits = 0;
    double sum = 0;
    int64_t norm = 0;
    uint8_t block[64];
    for (size_t i = 0; i < n; i += 64) {
        size_t m = n - i < 64 ? n - i : 64;
        const float *xs = x + i;
        uint8_t *cs = nibbles ? block : codes + i;
        __m256i v_norm = _mm256_setzero_si256();
        __m256 lanes = _mm256_setzero_ps();
        size_t k = 0;
        for (; k + 8 <= m; k += 8) {
            __m256 v = _mm256_loadu_ps(xs + k);
            __m256i b = _mm256_and_si256(_mm256_castps_si256(v), abs_mask);
            __m256i finite = _mm256_cmpgt_epi32(infinity, b);  // b < 0x7F800000, both non-negative
            __m256 y = _mm256_and_ps(_mm256_mul_ps(v, v_inverse), _mm256_castsi256_ps(finite));
            y = _mm256_max_ps(y, v_lo);  // no NaN reaches here: non-finite inputs became +0
            y = _mm256_min_ps(y, v_hi);
            __m256 t = _mm256_add_ps(y, v_magic);
            __m256i code = _mm256_sub_epi32(_mm256_castps_si256(t), magic_bits);
            v_norm = _mm256_add_epi32(v_norm, _mm256_mullo_epi32(code, code));
            __m256 d = _mm256_sub_ps(v, _mm256_mul_ps(_mm256_sub_ps(t, v_magic), v_scale));
            v_max = _mm256_max_epu32(v_max, _mm256_and_si256(_mm256_castps_si256(d), abs_mask));
            lanes = _mm256_add_ps(lanes, _mm256_mul_ps(d, d));
            // Codes are within ±127: the saturating packs keep them, the low byte is the code.
            __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(code), _mm256_extracti128_si256(code, 1));
            _mm_storel_epi64((__m128i *)(cs + k), _mm_packs_epi16(p16, p16));
        }
        float tail = 0;
        int32_t tail_norm = 0;
        for (; k < m; k++) {
            float d = quantize_one(xs[k], inverse, scale, max_code, cs + k, &tail_norm);
            uint32_t e = bits(d) & 0x7FFFFFFFu;
            max_bits = e > max_bits ? e : max_bits;
            tail += d * d;
        }
        if (nibbles) pack_nibbles(block, m, codes + (i >> 1));
        int32_t ns[8];
        _mm256_storeu_si256((__m256i *)ns, v_norm);
        norm += (int64_t)(ns[0] + ns[1] + ns[2] + ns[3] + ns[4] + ns[5] + ns[6] + ns[7]) + tail_norm;
        float l[8];
        _mm256_storeu_ps(l, lanes);
        float lane_sum = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
        sum += (double)tail + (double)lane_sum;
    }
    uint32_t ms[8];
    _mm256_storeu_si256((__m256i *)ms, v_max);
    for (int j = 0; j < 8; j++) max_bits = ms[j] > max_bits ? ms[j] : max_bits;
    *max_error_bits = max_bits;
    *sum_squares = sum;
    *code_squares = norm;
}

__attribute__((target("avx2")))
void phibench_scan_avx2(const float *x, size_t n, uint32_t *max_abs_bits, int *all_finite) {
    scan(x, n, max_abs_bits, all_finite);
}

int phibench_quantize_has_avx2(void) {
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}
#else
int phibench_quantize_has_avx2(void) { return 0; }
#endif

void phibench_quantize(const float *x, size_t n, float inverse, float scale, float max_code, int nibbles,
                       uint8_t *codes, uint32_t *max_error_bits, double *sum_squares, int64_t *code_squares) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        phibench_quantize_avx2(x, n, inverse, scale, max_code, nibbles, codes, max_error_bits, sum_squares, code_squares);
        return;
    }
#endif
    phibench_quantize_baseline(x, n, inverse, scale, max_code, nibbles, codes, max_error_bits, sum_squares, code_squares);
}

void phibench_scan(const float *x, size_t n, uint32_t *max_abs_bits, int *all_finite) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        phibench_scan_avx2(x, n, max_abs_bits, all_finite);
        return;
    }
#endif
    phibench_scan_baseline(x, n, max_abs_bits, all_finite);
}
