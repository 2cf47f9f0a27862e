// Registers loadEcPoint and verifyEcPoint (ecdsa_point.c) on the addon's exports; returns 0 on failure.
#ifndef SIGNET_ECDSA_POINT_H
#define SIGNET_ECDSA_POINT_H
#include <node_api.h>
int register_ecdsa_point(napi_env env, napi_value exports);
#endif
