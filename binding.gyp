{
  "targets": [
    {
      "target_name": "signet_digest_verify",
      "sources": ["native/digest_verify.c", "native/ecdsa_fixed.c", "native/ecdsa_point.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
