// Fixed-base ECDSA verification sums on P-256 and P-384 (ec_comb_impl.h, instantiated by p256.c and p384.c), for
// ecdsa_fixed.c. Sizes are the curve's: 32 bytes for P-256, 48 for P-384.
#ifndef SIGNET_EC_COMB_H
#define SIGNET_EC_COMB_H
#include <stdint.h>

typedef struct p256_table p256_table;
typedef struct p384_table p384_table;

/** Tables for the affine point (x, y), big-endian; NULL when it is not on the curve (or out of memory). */
p256_table *p256_table_new(const uint8_t x[32], const uint8_t y[32]);
p384_table *p384_table_new(const uint8_t x[48], const uint8_t y[48]);
void p256_table_free(p256_table *table);
void p384_table_free(p384_table *table);
/** The generator's table, built once per process. */
const p256_table *p256_generator_table(void);
const p384_table *p384_generator_table(void);
/** 1 when the arithmetic checks out on this machine (R^2, the generator's table); run before first use. */
int p256_self_test(void);
int p384_self_test(void);
/** 1 when x(u1*G + u2*Q) equals one of the big-endian candidates (r, r + n) and the sum is not infinity. */
int p256_check(const p256_table *g, const p256_table *q, const uint8_t u1[32], const uint8_t u2[32],
               const uint8_t *const candidates[], int ncandidates);
int p384_check(const p384_table *g, const p384_table *q, const uint8_t u1[48], const uint8_t u2[48],
               const uint8_t *const candidates[], int ncandidates);
#endif
