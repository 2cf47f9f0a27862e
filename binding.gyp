{
  "targets": [
    {
      "target_name": "signet_digest_verify",
      "sources": ["native/digest_verify.c", "native/ecdsa_fixed.c", "native/p256.c", "native/p384.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
