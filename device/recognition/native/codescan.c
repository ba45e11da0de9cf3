/* The 1:N scan over 8-bit face codes: squared L2 distance from one query code to every
 * stored code, keeping the k nearest. One thread, no allocation; the caller owns every
 * buffer. Compiled by device/recognition/native/__init__.py (gcc/clang -O3, native CPU),
 * which falls back to OpenCV's batchDistance when no compiler is at hand.
 *
 * Two exact forms of the same integer distance, chosen by what the CPU has:
 *   D = sum (a - q)^2                                  (16-bit differences, multiply-add)
 *   D = norm_a - 2 * sum a * (q - 128) + sum q^2       (with norm_a = sum a^2 - 256 sum a)
 * The second is one u8 x s8 dot product, a single instruction per 32 bytes on CPUs with
 * VNNI (vpdpbusd); without VNNI the compiler has no such instruction and the first wins. */

#include <stddef.h>
#include <stdint.h>

/* Sum of squared differences; written so that the compiler vectorises it (widening to
 * 16-bit lanes, multiply-add pairs to 32-bit). Exact: at most 128 * 255^2 < 2^31. */
static inline int32_t distance_u8(const uint8_t *a, const uint8_t *b, int64_t dim) {
    int32_t sum = 0;
    for (int64_t j = 0; j < dim; j++) {
        int32_t d = (int32_t)a[j] - (int32_t)b[j];
        sum += d * d;
    }
    return sum;
}

/* The door's case, dim = 128: a fixed trip count, and 16-bit differences so that the
 * compiler can use multiply-add instructions (pmaddwd, or vpdpwssd where there is one). */
static inline int32_t distance_u8_128(const uint8_t *a, const uint8_t *b) {
    int32_t sum = 0;
    for (int j = 0; j < 128; j++) {
        int16_t d = (int16_t)((int16_t)a[j] - (int16_t)b[j]);
        sum += (int32_t)d * (int32_t)d;
    }
    return sum;
}

/* Max-heap on (distance, row): the root is the worst of the kept rows. */
static inline int worse(int32_t da, int64_t ra, int32_t db, int64_t rb) {
    return da > db || (da == db && ra > rb);
}

static void sift_down(int32_t *dist, int64_t *rows, int64_t size, int64_t i) {
    for (;;) {
        int64_t left = 2 * i + 1, right = left + 1, top = i;
        if (left < size && worse(dist[left], rows[left], dist[top], rows[top])) top = left;
        if (right < size && worse(dist[right], rows[right], dist[top], rows[top])) top = right;
        if (top == i) return;
        int32_t d = dist[i]; dist[i] = dist[top]; dist[top] = d;
        int64_t r = rows[i]; rows[i] = rows[top]; rows[top] = r;
        i = top;
    }
}

static void sift_up(int32_t *dist, int64_t *rows, int64_t i) {
    while (i > 0) {
        int64_t parent = (i - 1) / 2;
        if (!worse(dist[i], rows[i], dist[parent], rows[parent])) return;
        int32_t d = dist[i]; dist[i] = dist[parent]; dist[parent] = d;
        int64_t r = rows[i]; rows[i] = rows[parent]; rows[parent] = r;
        i = parent;
    }
}

/* Offer (d, row) to the heap of the k best so far. */
static inline void keep(int32_t d, int64_t row, int64_t k, int64_t *size, int32_t *dist,
                        int64_t *rows) {
    if (*size < k) {
        dist[*size] = d;
        rows[*size] = row;
        sift_up(dist, rows, *size);
        (*size)++;
    } else if (d < dist[0]) {  /* equal: the kept row is lower, it stays */
        dist[0] = d;
        rows[0] = row;
        sift_down(dist, rows, *size, 0);
    }
}

#if (defined(__AVX512VNNI__) || defined(__AVXVNNI__)) && !defined(FACEGATE_NO_DOT_FORM)
#define FACEGATE_DOT_FORM 1
#else
#define FACEGATE_DOT_FORM 0
#endif

static inline int32_t dot_u8_s8_128(const uint8_t *a, const int8_t *q) {
    int32_t sum = 0;
    for (int j = 0; j < 128; j++) sum += (int32_t)a[j] * (int32_t)q[j];
    return sum;
}

/* 1 if facegate_nearest_codes reads code_norms (the dot form), else 0. */
int facegate_uses_code_norms(void) { return FACEGATE_DOT_FORM; }

/* The k rows nearest to `query` (ties: the lower row), unordered, in out_dist/out_rows.
 * `code_norms[row]` = sum a^2 - 256 * sum a of that row's code: read only in the dot form,
 * and only when dim == 128. Returns how many were written: min(k, n). */
int64_t facegate_nearest_codes(const uint8_t *codes, const int32_t *code_norms, int64_t n,
                               int64_t dim, const uint8_t *query, int64_t k,
                               int32_t *out_dist, int64_t *out_rows) {
    if (k > n) k = n;
    if (k <= 0) return 0;
    int8_t centred[128];
    int32_t query_norm = 0;
    int dot = FACEGATE_DOT_FORM && dim == 128 && code_norms != NULL;
    if (dot) {
        for (int j = 0; j < 128; j++) {
            centred[j] = (int8_t)((int32_t)query[j] - 128);
            query_norm += (int32_t)query[j] * (int32_t)query[j];
        }
    }
    int64_t size = 0;
    if (dot) {
        for (int64_t row = 0; row < n; row++)
            keep(code_norms[row] - 2 * dot_u8_s8_128(codes + row * 128, centred) + query_norm,
                 row, k, &size, out_dist, out_rows);
    } else if (dim == 128) {
        for (int64_t row = 0; row < n; row++)
            keep(distance_u8_128(codes + row * 128, query), row, k, &size, out_dist, out_rows);
    } else {
        for (int64_t row = 0; row < n; row++)
            keep(distance_u8(codes + row * dim, query, dim), row, k, &size, out_dist, out_rows);
    }
    return size;
}

/* Exact float64 distances from `query` to the stored encodings of `rows` (the re-rank):
 * x~ = (code - 128) * step + (remainder - 2048) * fine_step, each 12-bit remainder
 * unpacked from its pair (3 bytes: low 8 bits of the first, then 4 + 4, then the high 8
 * bits of the second), as matcher.py's _pack12 wrote it. */
void facegate_exact_distances(const uint8_t *codes, const uint8_t *fine, int64_t dim,
                              const int64_t *rows, int64_t m, const double *query,
                              double step, double fine_step, double *out) {
    int64_t width = (dim + 1) / 2 * 3;
    for (int64_t i = 0; i < m; i++) {
        const uint8_t *code = codes + rows[i] * dim;
        const uint8_t *packed = fine + rows[i] * width;
        double sum = 0.0;
        for (int64_t j = 0; j < dim; j++) {
            const uint8_t *pair = packed + (j / 2) * 3;
            int32_t remainder = (j % 2 == 0) ? (pair[0] | ((pair[1] & 0x0F) << 8))
                                             : ((pair[1] >> 4) | (pair[2] << 4));
            double x = ((double)code[j] - 128.0) * step + ((double)remainder - 2048.0) * fine_step;
            double d = x - query[j];
            sum += d * d;
        }
        out[i] = __builtin_sqrt(sum);
    }
}
