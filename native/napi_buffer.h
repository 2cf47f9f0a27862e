// Argument readers shared by the addon's files.
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

// The (key External, digest Buffer, signature Buffer) arguments of a verify call; returns 0 when they are not.
static inline int read_key_digest_signature(napi_env env, napi_callback_info info, void **key,
                                            const unsigned char **digest, size_t *digest_len,
                                            const unsigned char **sig, size_t *sig_len) {
  size_t argc = 3;
  napi_value argv[3];
  napi_valuetype t;
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 3 &&
         napi_typeof(env, argv[0], &t) == napi_ok && t == napi_external &&
         napi_get_value_external(env, argv[0], key) == napi_ok && read_buffer(env, argv[1], digest, digest_len) &&
         read_buffer(env, argv[2], sig, sig_len);
}
#endif
