// Argument readers and the key wrapping shared by the addon's files.
#ifndef SIGNET_NAPI_BUFFER_H
#define SIGNET_NAPI_BUFFER_H
#include <node_api.h>
#include <stdbool.h>

// A Node Buffer argument's bytes; returns 0 when `v` is not a Buffer.
static inline int read_buffer(napi_env env, napi_value v, const unsigned char **data, size_t *len) {
  bool is_buffer = false;
  if (napi_is_buffer(env, v, &is_buffer) != napi_ok || !is_buffer) return 0;
  void *p = NULL;
  if (napi_get_buffer_info(env, v, &p, len) != napi_ok) return 0;
  *data = (const unsigned char *)p;
  return 1;
}

// Each kind of key the addon hands out carries its own type tag, so a key of one kind given where another is expected
// (or any other External) is refused instead of being read as the wrong struct.
static const napi_type_tag DIGEST_KEY_TAG = {0x7369676e65746b31ULL, 0x6469676573740001ULL};
static const napi_type_tag FIXED_KEY_TAG = {0x7369676e65746b31ULL, 0x6669786564000002ULL};
static const napi_type_tag POINT_KEY_TAG = {0x7369676e65746b31ULL, 0x706f696e74000003ULL};

// The key wrapped in an External tagged `tag`, freed by `finalize` once collected. On failure a JS error is thrown
// and NULL returned; the key is freed then (or left to the External that already owns it).
static inline napi_value wrap_key(napi_env env, void *key, napi_finalize finalize, const napi_type_tag *tag) {
  napi_value ext;
  if (napi_create_external(env, key, finalize, NULL, &ext) != napi_ok) {
    finalize(env, key, NULL);
    napi_throw_error(env, NULL, "cannot wrap the key");
    return NULL;
  }
  if (napi_type_tag_object(env, ext, tag) != napi_ok) {
    napi_throw_error(env, NULL, "cannot tag the key");
    return NULL;
  }
  return ext;
}

// A key argument made by wrap_key with `tag`; returns 0 for anything else.
static inline int read_key(napi_env env, napi_value v, const napi_type_tag *tag, void **key) {
  napi_valuetype t;
  bool tagged = false;
  return napi_typeof(env, v, &t) == napi_ok && t == napi_external &&
         napi_check_object_type_tag(env, v, tag, &tagged) == napi_ok && tagged &&
         napi_get_value_external(env, v, key) == napi_ok;
}

// Checks a signature over a digest with a key made by wrap_key: 1 when it verifies, 0 otherwise.
typedef int (*digest_verifier)(const void *key, const unsigned char *digest, size_t digest_len,
                               const unsigned char *sig, size_t sig_len);

// A verify call `(key, digest Buffer, signature Buffer) -> boolean` by `verify`, for keys tagged `tag`; anything
// else is a TypeError saying `usage`.
static inline napi_value verify_call(napi_env env, napi_callback_info info, const napi_type_tag *tag,
                                     digest_verifier verify, const char *usage) {
  size_t argc = 3;
  napi_value argv[3], result;
  void *key = NULL;
  const unsigned char *digest = NULL, *sig = NULL;
  size_t digest_len = 0, sig_len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      !read_key(env, argv[0], tag, &key) || !read_buffer(env, argv[1], &digest, &digest_len) ||
      !read_buffer(env, argv[2], &sig, &sig_len)) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  if (napi_get_boolean(env, verify(key, digest, digest_len, sig, sig_len), &result) != napi_ok) return NULL;
  return result;
}
#endif
