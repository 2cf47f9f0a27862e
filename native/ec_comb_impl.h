// Short-Weierstrass (a = -3) arithmetic for ECDSA verification by a fixed key, included by p384.c and p256.c
// with their constants: u1*G + u2*Q with a signed 8-bit comb over tables of affine multiples of G and of Q, so
// the sum is 2 * (WINDOWS + 1) mixed additions at most and no doubling. OpenSSL 3.0 reaches P-384 only through
// its generic BIGNUM code (~1.3 us per point operation); these LIMBS x 64-bit Montgomery field operations make a
// P-384 verification ~5x cheaper, and a P-256 one about twice (it saves OpenSSL's doublings for Q).
// Verification handles public values only: nothing here needs to run in constant time. Every field element is
// kept fully reduced (< p), so equality and zero tests compare limbs.
// The includer defines LIMBS, BYTES (= 8 LIMBS), WINDOWS (= BYTES), PREFIX(name), and initialisers for the
// constants: P_LIMBS, PINV_VALUE (-p^-1 mod 2^64), ONE_LIMBS (R = 2^(64 LIMBS) mod p), R2_LIMBS (R^2 mod p),
// PM2_LIMBS (p - 2), all little-endian 64-bit limbs, and the big-endian B_BYTES, GX_BYTES, GY_BYTES.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef uint64_t fe[LIMBS];

static const fe P = P_LIMBS;
static const uint64_t PINV = PINV_VALUE;
static const fe ONE = ONE_LIMBS;
static const fe R2 = R2_LIMBS;
static const fe PM2 = PM2_LIMBS;
static const uint8_t B_BE[BYTES] = B_BYTES;
static const uint8_t GX[BYTES] = GX_BYTES;
static const uint8_t GY[BYTES] = GY_BYTES;

struct PREFIX(point) {
  fe x, y;
};

/** Multiples of one point: window i holds (j + 1) * 2^(8i) * B for j < 128; the last holds 2^(8 WINDOWS) * B. */
struct PREFIX(table) {
  struct PREFIX(point) w[WINDOWS * 128 + 1];
};

typedef struct {
  fe x, y, z; // Jacobian: (x/z^2, y/z^3); z = 0 is the point at infinity
} jac;

static uint64_t fe_or(const fe a) {
  uint64_t v = 0;
  for (int j = 0; j < LIMBS; j++) v |= a[j];
  return v;
}

static int fe_is_zero(const fe a) {
  return fe_or(a) == 0;
}

static int fe_eq(const fe a, const fe b) {
  return memcmp(a, b, sizeof(fe)) == 0;
}

/** r = t - p when t (seven limbs, t < 2p) is at least p, else t. */
static void reduce_once(fe r, const uint64_t t[LIMBS + 1]) {
  fe s;
  uint64_t borrow = 0;
  for (int j = 0; j < LIMBS; j++) {
    u128 d = (u128)t[j] - P[j] - borrow;
    s[j] = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
  }
  if (t[LIMBS] != 0 || borrow == 0) memcpy(r, s, sizeof(fe));
  else memcpy(r, t, sizeof(fe));
}

/** Montgomery product a * b / R mod p (CIOS), for a, b < p. */
static void fe_mul(fe r, const fe a, const fe b) {
  uint64_t t[LIMBS + 2] = {0};
  for (int i = 0; i < LIMBS; i++) {
    u128 c = 0;
    for (int j = 0; j < LIMBS; j++) {
      c += (u128)a[j] * b[i] + t[j];
      t[j] = (uint64_t)c;
      c >>= 64;
    }
    c += t[LIMBS];
    t[LIMBS] = (uint64_t)c;
    t[LIMBS + 1] = (uint64_t)(c >> 64);
    uint64_t m = t[0] * PINV;
    c = (u128)m * P[0] + t[0];
    c >>= 64;
    for (int j = 1; j < LIMBS; j++) {
      c += (u128)m * P[j] + t[j];
      t[j - 1] = (uint64_t)c;
      c >>= 64;
    }
    c += t[LIMBS];
    t[LIMBS - 1] = (uint64_t)c;
    t[LIMBS] = t[LIMBS + 1] + (uint64_t)(c >> 64);
  }
  reduce_once(r, t);
}

static void fe_sqr(fe r, const fe a) {
  fe_mul(r, a, a);
}

static void fe_add(fe r, const fe a, const fe b) {
  uint64_t t[LIMBS + 1];
  u128 c = 0;
  for (int j = 0; j < LIMBS; j++) {
    c += (u128)a[j] + b[j];
    t[j] = (uint64_t)c;
    c >>= 64;
  }
  t[LIMBS] = (uint64_t)c;
  reduce_once(r, t);
}

static void fe_sub(fe r, const fe a, const fe b) {
  fe d;
  uint64_t borrow = 0;
  for (int j = 0; j < LIMBS; j++) {
    u128 x = (u128)a[j] - b[j] - borrow;
    d[j] = (uint64_t)x;
    borrow = (uint64_t)(x >> 64) & 1;
  }
  if (borrow) {
    u128 c = 0;
    for (int j = 0; j < LIMBS; j++) {
      c += (u128)d[j] + P[j];
      d[j] = (uint64_t)c;
      c >>= 64;
    }
  }
  memcpy(r, d, sizeof(fe));
}

static void fe_neg(fe r, const fe a) {
  static const fe zero = {0};
  fe_sub(r, zero, a);
}

/** a^(p-2) = 1/a (a != 0), by square and multiply over the fixed exponent. */
static void fe_inv(fe r, const fe a) {
  fe acc;
  memcpy(acc, ONE, sizeof(fe));
  for (int bit = LIMBS * 64 - 1; bit >= 0; bit--) {
    fe_sqr(acc, acc);
    if ((PM2[bit / 64] >> (bit % 64)) & 1) fe_mul(acc, acc, a);
  }
  memcpy(r, acc, sizeof(fe));
}

/** BYTES big-endian bytes (a value < p) into Montgomery form; 0 when the value is not below p. */
static int fe_from_bytes(fe r, const uint8_t be[BYTES]) {
  fe a;
  for (int j = 0; j < LIMBS; j++) {
    uint64_t limb = 0;
    for (int k = 0; k < 8; k++) limb = (limb << 8) | be[BYTES - 1 - (j * 8 + 7 - k)];
    a[j] = limb;
  }
  // below p: a - p borrows
  uint64_t borrow = 0;
  for (int j = 0; j < LIMBS; j++) {
    u128 d = (u128)a[j] - P[j] - borrow;
    borrow = (uint64_t)(d >> 64) & 1;
  }
  if (!borrow) return 0;
  fe_mul(r, a, R2);
  return 1;
}

static void fe_to_bytes(uint8_t be[BYTES], const fe a) {
  static const fe plain_one = {1};
  fe v;
  fe_mul(v, a, plain_one);
  for (int j = 0; j < LIMBS; j++)
    for (int k = 0; k < 8; k++) be[BYTES - 1 - (j * 8 + k)] = (uint8_t)(v[j] >> (8 * k));
}

/** dbl-2001-b (a = -3); the point at infinity (z = 0) stays at infinity. */
static void jac_double(jac *r, const jac *p) {
  fe delta, gamma, beta, alpha, t, u;
  fe_sqr(delta, p->z);
  fe_sqr(gamma, p->y);
  fe_mul(beta, p->x, gamma);
  fe_sub(t, p->x, delta);
  fe_add(u, p->x, delta);
  fe_mul(alpha, t, u);
  fe_add(t, alpha, alpha);
  fe_add(alpha, t, alpha); // alpha = 3 (x - delta)(x + delta)
  fe_add(t, p->y, p->z);
  fe_sqr(t, t);
  fe_sub(t, t, gamma);
  fe_sub(r->z, t, delta); // z3 = (y + z)^2 - gamma - delta
  fe_add(u, beta, beta);
  fe_add(u, u, u); // 4 beta
  fe_sqr(t, alpha);
  fe_sub(t, t, u);
  fe_sub(r->x, t, u); // x3 = alpha^2 - 8 beta
  fe_sub(u, u, r->x);
  fe_mul(u, alpha, u);
  fe_sqr(gamma, gamma);
  fe_add(gamma, gamma, gamma);
  fe_add(gamma, gamma, gamma);
  fe_add(gamma, gamma, gamma); // 8 gamma^2
  fe_sub(r->y, u, gamma); // y3 = alpha (4 beta - x3) - 8 gamma^2
}

/** r = p + q for q affine; every case: p at infinity, p = q (doubling), p = -q (infinity). r may be p. */
static void jac_add_affine(jac *r, const jac *p, const fe qx, const fe qy) {
  if (fe_is_zero(p->z)) {
    memcpy(r->x, qx, sizeof(fe));
    memcpy(r->y, qy, sizeof(fe));
    memcpy(r->z, ONE, sizeof(fe));
    return;
  }
  fe z1z1, u2, s2, h, rr, hh, hhh, v, t;
  fe_sqr(z1z1, p->z);
  fe_mul(u2, qx, z1z1);
  fe_mul(s2, qy, p->z);
  fe_mul(s2, s2, z1z1);
  fe_sub(h, u2, p->x);
  fe_sub(rr, s2, p->y);
  if (fe_is_zero(h)) {
    if (fe_is_zero(rr)) {
      jac_double(r, p);
    } else {
      memset(r, 0, sizeof(*r));
    }
    return;
  }
  fe_sqr(hh, h);
  fe_mul(hhh, h, hh);
  fe_mul(v, p->x, hh);
  fe_mul(r->z, p->z, h);
  fe_mul(t, p->y, hhh); // before r->y is written: r may alias p
  fe_sqr(u2, rr);
  fe_sub(u2, u2, hhh);
  fe_sub(u2, u2, v);
  fe_sub(u2, u2, v); // x3 = r^2 - h^3 - 2v
  fe_sub(v, v, u2);
  fe_mul(v, rr, v);
  fe_sub(r->y, v, t); // y3 = r (v - x3) - y1 h^3
  memcpy(r->x, u2, sizeof(fe));
}

/** Jacobian points to affine with one inversion (Montgomery's trick); none may be at infinity. */
static void to_affine(struct PREFIX(point) *out, const jac *in, size_t n) {
  fe *prefix = (fe *)malloc(n * sizeof(fe));
  if (prefix == NULL) abort();
  memcpy(prefix[0], in[0].z, sizeof(fe));
  for (size_t i = 1; i < n; i++) fe_mul(prefix[i], prefix[i - 1], in[i].z);
  fe inv, zi, zi2, zi3;
  fe_inv(inv, prefix[n - 1]);
  for (size_t i = n; i-- > 0;) {
    if (i > 0) {
      fe_mul(zi, inv, prefix[i - 1]);
      fe_mul(inv, inv, in[i].z);
    } else {
      memcpy(zi, inv, sizeof(fe));
    }
    fe_sqr(zi2, zi);
    fe_mul(zi3, zi2, zi);
    fe_mul(out[i].x, in[i].x, zi2);
    fe_mul(out[i].y, in[i].y, zi3);
  }
  free(prefix);
}

PREFIX(table) *PREFIX(table_new)(const uint8_t x[BYTES], const uint8_t y[BYTES]) {
  struct PREFIX(point) base;
  if (!fe_from_bytes(base.x, x) || !fe_from_bytes(base.y, y)) return NULL;
  // On the curve: y^2 = x^3 - 3x + b.

  fe b, lhs, rhs, t;
  fe_from_bytes(b, B_BE);
  fe_sqr(lhs, base.y);
  fe_sqr(rhs, base.x);
  fe_mul(rhs, rhs, base.x);
  fe_add(t, base.x, base.x);
  fe_add(t, t, base.x);
  fe_sub(rhs, rhs, t);
  fe_add(rhs, rhs, b);
  if (!fe_eq(lhs, rhs)) return NULL;

  PREFIX(table) *table = (PREFIX(table) *)malloc(sizeof(PREFIX(table)));
  const size_t n = WINDOWS * 128 + 1;
  jac *pts = (jac *)malloc(n * sizeof(jac));
  if (table == NULL || pts == NULL) {
    free(table);
    free(pts);
    return NULL;
  }
  // Window i: multiples of B_i = 2^(8i) B, each B_i made affine (one inversion) before its multiples are summed.
  struct PREFIX(point) bi = base;
  for (int i = 0; i <= WINDOWS; i++) {
    jac *w = pts + (size_t)i * 128;
    memcpy(w[0].x, bi.x, sizeof(fe));
    memcpy(w[0].y, bi.y, sizeof(fe));
    memcpy(w[0].z, ONE, sizeof(fe));
    if (i == WINDOWS) break;
    for (int j = 1; j < 128; j++) jac_add_affine(&w[j], &w[j - 1], bi.x, bi.y);
    jac next = w[0];
    for (int k = 0; k < 8; k++) jac_double(&next, &next);
    to_affine(&bi, &next, 1);
  }
  to_affine(table->w, pts, n);
  free(pts);
  return table;
}

void PREFIX(table_free)(PREFIX(table) *table) {
  free(table);
}

static PREFIX(table) *g_table;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void build_g(void) {

  g_table = PREFIX(table_new)(GX, GY);
}

const PREFIX(table) *PREFIX(generator_table)(void) {
  pthread_once(&g_once, build_g);
  return g_table;
}

/** Signed 8-bit digits of a BYTES-byte big-endian scalar: WINDOWS + 1 digits in [-127, 128]. */
static void recode(int digits[WINDOWS + 1], const uint8_t be[BYTES]) {
  int carry = 0;
  for (int i = 0; i < WINDOWS; i++) {
    int v = be[BYTES - 1 - i] + carry;
    carry = v > 128;
    digits[i] = carry ? v - 256 : v;
  }
  digits[WINDOWS] = carry;
}

static void add_digits(jac *acc, const PREFIX(table) *t, const int digits[WINDOWS + 1]) {
  for (int i = 0; i <= WINDOWS; i++) {
    int d = digits[i];
    if (d == 0) continue;
    const struct PREFIX(point) *pt = &t->w[(size_t)i * 128 + (size_t)(d > 0 ? d : -d) - 1];
    if (d > 0) {
      jac_add_affine(acc, acc, pt->x, pt->y);
    } else {
      fe ny;
      fe_neg(ny, pt->y);
      jac_add_affine(acc, acc, pt->x, ny);
    }
  }
}

int PREFIX(check)(const PREFIX(table) *g, const PREFIX(table) *q, const uint8_t u1[BYTES], const uint8_t u2[BYTES],
               const uint8_t *const candidates[], int ncandidates) {
  int d1[WINDOWS + 1], d2[WINDOWS + 1];
  recode(d1, u1);
  recode(d2, u2);
  jac acc;
  memset(&acc, 0, sizeof(acc));
  add_digits(&acc, g, d1);
  add_digits(&acc, q, d2);
  if (fe_is_zero(acc.z)) return 0;
  // x(acc) = X / Z^2 equals a candidate c iff X = c Z^2: no inversion.
  fe z2, c;
  fe_sqr(z2, acc.z);
  for (int i = 0; i < ncandidates; i++) {
    if (!fe_from_bytes(c, candidates[i])) continue;
    fe_mul(c, c, z2);
    if (fe_eq(c, acc.x)) return 1;
  }
  return 0;
}

int PREFIX(self_test)(void) {
  // R^2 by doubling R = 2^(64 LIMBS) mod p another 64 LIMBS times, against the constant; and the generator table's first
  // entries: G itself, and 2G + G = 3G computed two ways.
  fe r2;
  memcpy(r2, ONE, sizeof(fe));
  for (int i = 0; i < LIMBS * 64; i++) fe_add(r2, r2, r2);
  if (!fe_eq(r2, R2)) return 0;
  const PREFIX(table) *g = PREFIX(generator_table)();
  if (g == NULL) return 0;
  jac two = {{0}, {0}, {0}};
  memcpy(two.x, g->w[0].x, sizeof(fe));
  memcpy(two.y, g->w[0].y, sizeof(fe));
  memcpy(two.z, ONE, sizeof(fe));
  jac_double(&two, &two);
  jac_add_affine(&two, &two, g->w[0].x, g->w[0].y);
  struct PREFIX(point) three;
  to_affine(&three, &two, 1);
  uint8_t a[BYTES], b[BYTES];
  fe_to_bytes(a, three.x);
  fe_to_bytes(b, g->w[2].x);
  return memcmp(a, b, BYTES) == 0 && fe_eq(three.y, g->w[2].y);
}
