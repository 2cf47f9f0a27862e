// ECDSA verification by a key that arrives with the data and verifies once or twice (a bundle's leaf certificate),
// given as its curve and uncompressed point. Importing a key costs more than the verification through node: its
// JWK import also multiplies the point by the group order (~60 us on P-256, ~400 us on P-384), its DER import
// runs OpenSSL 3.0's decoder chain (~150 us), and a provider import builds the curve anew (~18 us). Here the point
// goes onto a group made once per curve (OpenSSL checks it is on the curve: with cofactor 1, that is the subgroup).
//   loadEcPoint(curve: 0|1|2 (P-256|P-384|P-521), point: Buffer) -> External   (an EC_KEY)
//   verifyEcPoint(key: External, digest: Buffer, sig: Buffer) -> boolean
// ECDSA_verify makes OpenSSL's checks (DER that re-encodes to itself with no trailing bytes, 0 < r, s < n, the
// point at infinity refused); the digest must have the length of the curve's hash, as the EVP verify requires.
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
// EC_KEY and ECDSA_verify are deprecated in OpenSSL 3 but exported by Node, and skip the provider's per-key set-up.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <node_api.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <stdlib.h>

#include "ecdsa_point.h"
#include "napi_buffer.h"

static const int CURVE_NIDS[3] = {NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1};
static const size_t FIELD_BYTES[3] = {32, 48, 66};
static const size_t DIGEST_BYTES[3] = {32, 48, 64}; // SHA-256, SHA-384, SHA-512

// The three groups, made once per Node environment (each worker thread loads the addon anew).
typedef struct {
  EC_GROUP *group[3];
} curves;

typedef struct {
  EC_KEY *key;
  int curve;
} point_key;

static void free_curves(void *data) {
  curves *c = (curves *)data;
  for (int i = 0; i < 3; i++) EC_GROUP_free(c->group[i]);
  free(c);
}

static void free_point_key(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  point_key *k = (point_key *)data;
  EC_KEY_free(k->key);
  free(k);
}

static EC_KEY *key_from_point(const EC_GROUP *group, const unsigned char *point, size_t len) {
  EC_KEY *key = EC_KEY_new();
  EC_POINT *q = EC_POINT_new(group);
  int ok = key != NULL && q != NULL && EC_KEY_set_group(key, group) == 1 &&
           EC_POINT_oct2point(group, q, point, len, NULL) == 1 && EC_KEY_set_public_key(key, q) == 1;
  EC_POINT_free(q);
  ERR_clear_error();
  if (ok) return key;
  EC_KEY_free(key);
  return NULL;
}

static napi_value load_ec_point(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  curves *c = NULL;
  int32_t curve = -1;
  const unsigned char *point = NULL;
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&c) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &curve) != napi_ok || curve < 0 || curve > 2 ||
      !read_buffer(env, argv[1], &point, &len)) {
    napi_throw_type_error(env, NULL, "loadEcPoint expects (curve 0..2, point Buffer)");
    return NULL;
  }
  // Uncompressed only: 04 || x || y.
  EC_KEY *key = len == 1 + 2 * FIELD_BYTES[curve] && point[0] == 4 ? key_from_point(c->group[curve], point, len) : NULL;
  point_key *k = key ? (point_key *)calloc(1, sizeof(point_key)) : NULL;
  if (k == NULL) {
    EC_KEY_free(key);
    napi_throw_error(env, NULL, "loadEcPoint: not an uncompressed point on the curve");
    return NULL;
  }
  k->key = key;
  k->curve = curve;
  return wrap_key(env, k, free_point_key, &POINT_KEY_TAG);
}

static int verify_point(const void *key, const unsigned char *digest, size_t digest_len, const unsigned char *sig,
                        size_t sig_len) {
  const point_key *k = (const point_key *)key;
  int ok = digest_len == DIGEST_BYTES[k->curve] && sig_len > 0 && sig_len <= 0x7fffffff &&
           ECDSA_verify(0, digest, (int)digest_len, sig, (int)sig_len, k->key) == 1;
  ERR_clear_error();
  return ok;
}

static napi_value verify_ec_point(napi_env env, napi_callback_info info) {
  return verify_call(env, info, &POINT_KEY_TAG, verify_point,
                     "verifyEcPoint expects (key, digest Buffer, signature Buffer)");
}

int register_ecdsa_point(napi_env env, napi_value exports) {
  curves *c = (curves *)calloc(1, sizeof(curves));
  if (c == NULL) return 0;
  for (int i = 0; i < 3; i++) {
    c->group[i] = EC_GROUP_new_by_curve_name(CURVE_NIDS[i]);
    if (c->group[i] == NULL) {
      free_curves(c);
      return 0;
    }
  }
  napi_value f;
  if (napi_add_env_cleanup_hook(env, free_curves, c) != napi_ok) {
    free_curves(c);
    return 0;
  }
  return napi_create_function(env, "loadEcPoint", NAPI_AUTO_LENGTH, load_ec_point, c, &f) == napi_ok &&
         napi_set_named_property(env, exports, "loadEcPoint", f) == napi_ok &&
         napi_create_function(env, "verifyEcPoint", NAPI_AUTO_LENGTH, verify_ec_point, NULL, &f) == napi_ok &&
         napi_set_named_property(env, exports, "verifyEcPoint", f) == napi_ok;
}
