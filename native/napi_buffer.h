// A Node Buffer argument's bytes, for both of the addon's files; returns 0 when `v` is not a Buffer.
#ifndef SIGNET_NAPI_BUFFER_H
#define SIGNET_NAPI_BUFFER_H
#include <node_api.h>
#include <stdbool.h>

static inline int read_buffer(napi_env env, napi_value v, const unsigned char **data, size_t *len) {
  bool is_buffer = false;
  if (napi_is_buffer(env, v, &is_buffer) != napi_ok || !is_buffer) return 0;
  void *p = NULL;
  if (napi_get_buffer_info(env, v, &p, len) != napi_ok) return 0;
  *data = (const unsigned char *)p;
  return 1;
}
#endif
