package dev.flinkwatch.delivery;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Encrypts secrets at rest (receiver URLs, signing secrets) with Tink's AEAD (AES-256-GCM) under a
 * keyset from configuration. The associated data binds a ciphertext to its owner and purpose (e.g.
 * tenant id + "webhook-secret"), so a ciphertext copied to another row does not decrypt. Tink
 * keysets hold several keys, so the key can be rotated without re-encrypting old rows.
 */
public final class SecretBox {
    private final Aead aead;

    private SecretBox(Aead aead) {
        this.aead = aead;
    }

    /** From a Tink JSON keyset (the {@code flinkwatch.delivery.secret-keyset} option). */
    public static SecretBox fromKeysetJson(String keysetJson) {
        try {
            AeadConfig.register();
            KeysetHandle handle =
                    TinkJsonProtoKeysetFormat.parseKeyset(
                            keysetJson, InsecureSecretKeyAccess.get());
            return new SecretBox(handle.getPrimitive(RegistryConfiguration.get(), Aead.class));
        } catch (GeneralSecurityException | RuntimeException e) {
            // Never include the keyset (or Tink's message about it) in the error.
            throw new IllegalArgumentException("the secret keyset is not a valid Tink AEAD keyset");
        }
    }

    /** A new random AES-256-GCM keyset as JSON, for a local stack's data dir or a test. */
    public static String generateKeysetJson() {
        try {
            AeadConfig.register();
            return TinkJsonProtoKeysetFormat.serializeKeyset(
                    KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM),
                    InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not generate a keyset", e);
        }
    }

    public byte[] encrypt(String plaintext, String associatedData) {
        try {
            return aead.encrypt(
                    plaintext.getBytes(StandardCharsets.UTF_8),
                    associatedData.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String decrypt(byte[] ciphertext, String associatedData) {
        try {
            return new String(
                    aead.decrypt(ciphertext, associatedData.getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored secret does not decrypt with this keyset");
        }
    }
}
