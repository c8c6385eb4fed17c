import COpenSSLCrypto

/// SHA-256 from the system's libcrypto (OpenSSL), for the history's fingerprint and record ids.
enum SHA256 {
    /// The 32-byte digest of `data`.
    static func hash(data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        // EVP_Digest fails only when libcrypto cannot allocate a context or lacks SHA-256 altogether.
        precondition(ok == 1 && length == 32, "libcrypto's EVP_Digest(SHA-256) failed")
        return digest
    }
}
