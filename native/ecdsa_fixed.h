// Registers loadFixedKey and verifyFixed (ecdsa_fixed.c) on the addon's exports; returns 0 on failure.
#ifndef SIGNET_ECDSA_FIXED_H
#define SIGNET_ECDSA_FIXED_H
#include <node_api.h>
int register_ecdsa_fixed(napi_env env, napi_value exports);
#endif
