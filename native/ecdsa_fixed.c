// ECDSA verification by a key that verifies many signatures (a trusted CA's, TSA's or log's key), over a digest,
// with OpenSSL's fixed-base precomputation for both points of the check u1*G + u2*Q. OpenSSL's own ECDSA verify
// computes that sum with a variable-base wNAF for Q on every call (~380 doublings on P-384, which OpenSSL 3.0
// has no dedicated code for); with a precomputed table for Q as well as for G each product takes ~8 doublings.
// On P-256, OpenSSL's nistz256 code builds its own table for Q as a generator (it has G's built in), and the
// two fixed-base products cost less than its one variable-base sum.
// The table is derived from the public key alone, once per key: nothing about a signature is remembered.
//   loadFixedKey(spkiDer: Buffer) -> External       (an EC public key and its two precomputed groups)
//   verifyFixed(key: External, digest: Buffer, sig: Buffer) -> boolean
// The checks are OpenSSL's ossl_ecdsa_verify and ossl_ecdsa_simple_verify_sig, in the same order: a DER
// signature with no trailing bytes that re-encodes to itself, 0 < r, s < n, the digest truncated to the
// order's length, then x(u1*G + u2*Q) mod n == r with u1*G + u2*Q not the point at infinity.
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
// The EC_GROUP/EC_POINT API is deprecated in OpenSSL 3 but exported by Node, and it is the only way to reach
// the precomputation.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <node_api.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "ecdsa_fixed.h"
#include "napi_buffer.h"

typedef struct {
  EC_GROUP *base;  // the curve, its generator G precomputed
  EC_GROUP *key;   // the same curve with the key's point Q as generator, precomputed
  EC_POINT *dummy; // a point whose scalar is zero: keeps EC_POINTs_mul off the (table-less) ladder
  BIGNUM *zero;
  BIGNUM *p; // the field prime
  const BIGNUM *order;
  int order_bits;
  // P-256 on OpenSSL's nistz256 code (which has G's table built in): a scalar-only EC_POINTs_mul takes its
  // table (with the dummy it would take its variable-base path). Elsewhere such a call takes the ladder.
  int p256;
} fixed_key;

static void free_fixed(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  fixed_key *k = (fixed_key *)data;
  EC_POINT_free(k->dummy);
  BN_free(k->zero);
  BN_free(k->p);
  EC_GROUP_free(k->base);
  EC_GROUP_free(k->key);
  free(k);
}

static fixed_key *new_fixed(const unsigned char *der, size_t len) {
  const unsigned char *p = der;
  EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
  fixed_key *k = NULL;
  BN_CTX *ctx = BN_CTX_new();
  if (pkey == NULL || p != der + len || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC || ctx == NULL) goto fail;
  const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(pkey);
  const EC_GROUP *group = ec ? EC_KEY_get0_group(ec) : NULL;
  const EC_POINT *q = ec ? EC_KEY_get0_public_key(ec) : NULL;
  if (group == NULL || q == NULL || EC_POINT_is_at_infinity(group, q)) goto fail;
  k = (fixed_key *)calloc(1, sizeof(fixed_key));
  if (k == NULL) goto fail;
  k->base = EC_GROUP_dup(group);
  k->key = EC_GROUP_dup(group);
  k->zero = BN_new();
  k->p = BN_new();
  if (k->base == NULL || k->key == NULL || k->zero == NULL || k->p == NULL ||
      EC_GROUP_get_curve(group, k->p, NULL, NULL, ctx) != 1)
    goto fail;
  BN_zero(k->zero);
  k->dummy = EC_POINT_dup(EC_GROUP_get0_generator(group), k->base);
  k->order = EC_GROUP_get0_order(k->base);
  k->order_bits = BN_num_bits(k->order);
  k->p256 = EC_GROUP_get_curve_name(group) == NID_X9_62_prime256v1 && EC_GROUP_have_precompute_mult(group) == 1;
  if (k->dummy == NULL ||
      EC_GROUP_set_generator(k->key, q, EC_GROUP_get0_order(group), EC_GROUP_get0_cofactor(group)) != 1 ||
      (!k->p256 && EC_GROUP_precompute_mult(k->base, ctx) != 1) || EC_GROUP_precompute_mult(k->key, ctx) != 1)
    goto fail;
  EVP_PKEY_free(pkey);
  BN_CTX_free(ctx);
  ERR_clear_error();
  return k;
fail:
  if (k != NULL) free_fixed(NULL, k, NULL);
  EVP_PKEY_free(pkey);
  BN_CTX_free(ctx);
  ERR_clear_error();
  return NULL;
}

static napi_value load_fixed_key(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  const unsigned char *der = NULL;
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      !read_buffer(env, argv[0], &der, &len)) {
    napi_throw_type_error(env, NULL, "loadFixedKey expects a Buffer of DER SPKI");
    return NULL;
  }
  fixed_key *k = new_fixed(der, len);
  if (k == NULL) {
    napi_throw_error(env, NULL, "loadFixedKey: not a DER SubjectPublicKeyInfo of an EC key");
    return NULL;
  }
  return wrap_key(env, k, free_fixed, &FIXED_KEY_TAG);
}

/** u * (the group's generator), through the group's precomputed table. */
static int mul_generator(const fixed_key *k, const EC_GROUP *group, EC_POINT *out, const BIGNUM *u, BN_CTX *ctx) {
  if (k->p256) return EC_POINTs_mul(group, out, u, 0, NULL, NULL, ctx);
  const EC_POINT *points[1] = {k->dummy};
  const BIGNUM *scalars[1] = {k->zero};
  return EC_POINTs_mul(group, out, u, 1, points, scalars, ctx);
}

// x(R) mod n == r, with R in Jacobian coordinates (X, Z^2 given): x(R) = X / Z^2 is below p, so it is one of r,
// r + n, ... below p, and X == c * Z^2 (mod p) for that c. This skips the field inversion that
// EC_POINT_get_affine_coordinates makes (~30-45 us on P-384).
static int x_is_r(const fixed_key *k, const BIGNUM *x, const BIGNUM *z2, const BIGNUM *r, BN_CTX *ctx) {
  BN_CTX_start(ctx);
  BIGNUM *c = BN_CTX_get(ctx), *t = BN_CTX_get(ctx);
  int ok = 0;
  if (t != NULL && BN_copy(c, r) != NULL) {
    while (BN_cmp(c, k->p) < 0 && BN_mod_mul(t, c, z2, k->p, ctx)) {
      if (BN_cmp(t, x) == 0) {
        ok = 1;
        break;
      }
      if (!BN_add(c, c, k->order)) break;
    }
  }
  BN_CTX_end(ctx);
  return ok;
}

static int verify_digest(const void *key, const unsigned char *dgst, size_t dlen, const unsigned char *sig,
                         size_t slen) {
  const fixed_key *k = (const fixed_key *)key;
  int ok = 0;
  ECDSA_SIG *s = NULL;
  unsigned char *der = NULL;
  BN_CTX *ctx = NULL;
  EC_POINT *a = NULL, *b = NULL;
  const unsigned char *p = sig;
  s = d2i_ECDSA_SIG(NULL, &p, (long)slen);
  if (s == NULL || p != sig + slen) goto done;
  int derlen = i2d_ECDSA_SIG(s, &der);
  if (derlen < 0 || (size_t)derlen != slen || memcmp(sig, der, slen) != 0) goto done;
  const BIGNUM *r = NULL, *sv = NULL;
  ECDSA_SIG_get0(s, &r, &sv);
  if (BN_is_zero(r) || BN_is_negative(r) || BN_ucmp(r, k->order) >= 0 || BN_is_zero(sv) || BN_is_negative(sv) ||
      BN_ucmp(sv, k->order) >= 0)
    goto done;
  ctx = BN_CTX_new();
  if (ctx == NULL) goto done;
  BN_CTX_start(ctx);
  BIGNUM *m = BN_CTX_get(ctx), *w = BN_CTX_get(ctx), *u1 = BN_CTX_get(ctx), *u2 = BN_CTX_get(ctx),
         *x = BN_CTX_get(ctx), *z2 = BN_CTX_get(ctx);
  if (z2 == NULL) goto end;
  if (8 * dlen > (size_t)k->order_bits) dlen = ((size_t)k->order_bits + 7) / 8;
  if (BN_bin2bn(dgst, (int)dlen, m) == NULL) goto end;
  if (8 * dlen > (size_t)k->order_bits && !BN_rshift(m, m, 8 - (k->order_bits & 7))) goto end;
  if (BN_mod_inverse(w, sv, k->order, ctx) == NULL || !BN_mod_mul(u1, m, w, k->order, ctx) ||
      !BN_mod_mul(u2, r, w, k->order, ctx))
    goto end;
  a = EC_POINT_new(k->base);
  b = EC_POINT_new(k->base);
  if (a == NULL || b == NULL || !mul_generator(k, k->base, a, u1, ctx) || !mul_generator(k, k->key, b, u2, ctx) ||
      !EC_POINT_add(k->base, a, a, b, ctx) || EC_POINT_is_at_infinity(k->base, a) ||
      !EC_POINT_get_Jprojective_coordinates_GFp(k->base, a, x, NULL, z2, ctx) || !BN_nnmod(x, x, k->p, ctx) ||
      !BN_mod_sqr(z2, z2, k->p, ctx))
    goto end;
  ok = x_is_r(k, x, z2, r, ctx);
end:
  BN_CTX_end(ctx);
done:
  EC_POINT_free(a);
  EC_POINT_free(b);
  BN_CTX_free(ctx);
  OPENSSL_free(der);
  ECDSA_SIG_free(s);
  ERR_clear_error();
  return ok;
}

static napi_value verify_fixed(napi_env env, napi_callback_info info) {
  return verify_call(env, info, &FIXED_KEY_TAG, verify_digest,
                     "verifyFixed expects (key, digest Buffer, signature Buffer)");
}

int register_ecdsa_fixed(napi_env env, napi_value exports) {
  napi_value f;
  return napi_create_function(env, "loadFixedKey", NAPI_AUTO_LENGTH, load_fixed_key, NULL, &f) == napi_ok &&
         napi_set_named_property(env, exports, "loadFixedKey", f) == napi_ok &&
         napi_create_function(env, "verifyFixed", NAPI_AUTO_LENGTH, verify_fixed, NULL, &f) == napi_ok &&
         napi_set_named_property(env, exports, "verifyFixed", f) == napi_ok;
}
