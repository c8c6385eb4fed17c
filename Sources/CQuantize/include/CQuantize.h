#ifndef PHIBENCH_CQUANTIZE_H
#define PHIBENCH_CQUANTIZE_H

#include <stddef.h>
#include <stdint.h>

/// The memory layer's embedding quantizer, one pass: codes of `n` floats, and the error they make.
///
/// codeᵢ = round-half-even(clamp(xᵢ · inverse, ±maxCode)) (0 for a non-finite xᵢ), written one per
/// byte (`nibbles` = 0: int8) or two per byte, low nibble first (`nibbles` = 1: int4). The error
/// dᵢ = xᵢ − codeᵢ · scale gives `max_error_bits` (the largest |dᵢ| as its bit pattern) and
/// `sum_squares` (Σ dᵢ², summed in float by blocks of 64 elements in eight lanes, the blocks in double);
/// `code_squares` is Σ codeᵢ² (the codes' squared norm, which a cosine needs).
///
/// Why C: it is compiled twice, for AVX2 and for the baseline, and runs the one the CPU has; Swift can
/// only target the baseline, where this loop cost ~15 instructions an element (the AVX2 kernel, in
/// intrinsics, ~4 with its per-block sums). The codes
/// and figures are the same either way (no fused multiply-add: the rounding is the same on every path).
void phibench_quantize(const float *x, size_t n, float inverse, float scale, float max_code, int nibbles,
                       uint8_t *codes, uint32_t *max_error_bits, double *sum_squares, int64_t *code_squares);


/// The two compilations, for tests (``phibench_quantize`` picks one); `phibench_quantize_avx2` only
/// where `phibench_quantize_has_avx2()` is 1.
void phibench_quantize_baseline(const float *x, size_t n, float inverse, float scale, float max_code, int nibbles,
                                uint8_t *codes, uint32_t *max_error_bits, double *sum_squares, int64_t *code_squares);
#if defined(__x86_64__)
void phibench_quantize_avx2(const float *x, size_t n, float inverse, float scale, float max_code, int nibbles,
                            uint8_t *codes, uint32_t *max_error_bits, double *sum_squares, int64_t *code_squares);
#endif
int phibench_quantize_has_avx2(void);

/// The largest |xᵢ| over the finite elements (as its bit pattern; 0 when there is none) and whether
/// every element is finite, in one pass; compiled for AVX2 and the baseline like the quantizer.
void phibench_scan(const float *x, size_t n, uint32_t *max_abs_bits, int *all_finite);
void phibench_scan_baseline(const float *x, size_t n, uint32_t *max_abs_bits, int *all_finite);
#if defined(__x86_64__)
void phibench_scan_avx2(const float *x, size_t n, uint32_t *max_abs_bits, int *all_finite);
#endif

#endif
