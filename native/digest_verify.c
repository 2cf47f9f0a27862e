// Verifies an ECDSA (DER) or RSA PKCS#1 v1.5 signature over a pre-computed digest with the OpenSSL that Node
// itself links and exports: node:crypto can only verify over a message it hashes, and Rekor's hashedrekord
// carries only the digest. Two functions:
//   loadKey(spkiDer: Buffer) -> External   (an EVP_PKEY, freed when the External is collected)
//   verify(key: External, md: 0|1|2 (sha256|sha384|sha512), digest: Buffer, sig: Buffer) -> boolean
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include "ecdsa_fixed.h"
#include "ecdsa_point.h"
#include "napi_buffer.h"

typedef struct {
  EVP_PKEY *pkey;
  int is_rsa;
  // One verify context per digest, initialised on first use: context set-up costs more than the verify of a
  // P-256 signature, and a log verifies many signatures with the same (cached) key.
  EVP_PKEY_CTX *ctx[3];
} dv_key;

#define CHECK(env, call)                                                    \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      napi_throw_error((env), NULL, "digest_verify: bad call " #call);     \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

static void free_key(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  dv_key *k = (dv_key *)data;
  for (int i = 0; i < 3; i++) EVP_PKEY_CTX_free(k->ctx[i]);
  EVP_PKEY_free(k->pkey);
  free(k);
}

static napi_value load_key(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  const unsigned char *der = NULL;
  size_t len = 0;
  if (argc < 1 || !read_buffer(env, argv[0], &der, &len)) {
    napi_throw_type_error(env, NULL, "loadKey expects a Buffer of DER SPKI");
    return NULL;
  }
  const unsigned char *p = der;
  EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
  ERR_clear_error();
  if (pkey == NULL || p != der + len) {
    EVP_PKEY_free(pkey);
    napi_throw_error(env, NULL, "loadKey: not a DER SubjectPublicKeyInfo");
    return NULL;
  }
  int id = EVP_PKEY_get_base_id(pkey);
  if (id != EVP_PKEY_EC && id != EVP_PKEY_RSA) {
    EVP_PKEY_free(pkey);
    napi_throw_error(env, NULL, "loadKey: only ECDSA and RSA keys verify over a digest");
    return NULL;
  }
  dv_key *k = (dv_key *)calloc(1, sizeof(dv_key));
  if (k == NULL) {
    EVP_PKEY_free(pkey);
    napi_throw_error(env, NULL, "loadKey: out of memory");
    return NULL;
  }
  k->pkey = pkey;
  k->is_rsa = id == EVP_PKEY_RSA;
  return wrap_key(env, k, free_key, &DIGEST_KEY_TAG);
}

static EVP_PKEY_CTX *context_for(dv_key *k, int md) {
  if (k->ctx[md] != NULL) return k->ctx[md];
  const EVP_MD *mds[3] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
  if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1 || EVP_PKEY_CTX_set_signature_md(ctx, mds[md]) != 1 ||
      (k->is_rsa && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1)) {
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return NULL;
  }
  k->ctx[md] = ctx;
  return ctx;
}

static napi_value verify(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  dv_key *k = NULL;
  int32_t md = -1;
  const unsigned char *digest = NULL, *sig = NULL;
  size_t digest_len = 0, sig_len = 0;
  if (argc < 4 || !read_key(env, argv[0], &DIGEST_KEY_TAG, (void **)&k) ||
      napi_get_value_int32(env, argv[1], &md) != napi_ok || md < 0 || md > 2 ||
      !read_buffer(env, argv[2], &digest, &digest_len) || !read_buffer(env, argv[3], &sig, &sig_len)) {
    napi_throw_type_error(env, NULL, "verify expects (key, md 0..2, digest Buffer, signature Buffer)");
    return NULL;
  }
  EVP_PKEY_CTX *ctx = context_for(k, md);
  int ok = ctx != NULL && EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1;
  ERR_clear_error();
  napi_value result;
  CHECK(env, napi_get_boolean(env, ok, &result));
  return result;
}

NAPI_MODULE_INIT() {
  napi_value f;
  if (napi_create_function(env, "loadKey", NAPI_AUTO_LENGTH, load_key, NULL, &f) != napi_ok ||
      napi_set_named_property(env, exports, "loadKey", f) != napi_ok ||
      napi_create_function(env, "verify", NAPI_AUTO_LENGTH, verify, NULL, &f) != napi_ok ||
      napi_set_named_property(env, exports, "verify", f) != napi_ok || !register_ecdsa_fixed(env, exports) ||
      !register_ecdsa_point(env, exports)) {
    return NULL;
  }
  return exports;
}
