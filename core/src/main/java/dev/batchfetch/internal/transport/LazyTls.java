package dev.batchfetch.internal.transport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * OkHttp's default TLS (the platform's trust store and socket factory, exactly as a plain {@code
 * new OkHttpClient()} has them), set up on the first TLS connection instead of when the client is
 * built: loading the trust store costs a cold JVM a few hundred milliseconds that a batch of {@code
 * http} URLs never needs.
 *
 * <p>One limit, and why it does not bite: OkHttp reads the trust manager's accepted issuers when
 * the client is built, for the chain cleaner that only {@link okhttp3.CertificatePinner certificate
 * pins} use; built before the trust store is loaded, it has none. The shared base client has no
 * pins and users cannot add any to it: a user who pins gives a client of their own, which is used
 * as it is. Thread-safe.
 */
final class LazyTls {
  private static final X509TrustManager TRUST = new Trust();
  private static final SSLSocketFactory SOCKETS = new Sockets();
  private static final X509Certificate[] NONE = new X509Certificate[0];
  private static volatile boolean loaded;

  private LazyTls() {}

  static X509TrustManager trustManager() {
    return TRUST;
  }

  static SSLSocketFactory socketFactory() {
    return SOCKETS;
  }

  /** OkHttp's defaults, made on first use. */
  private static final class Real {
    static final OkHttpClient DEFAULTS = new OkHttpClient();
    static final X509TrustManager TRUST =
        Objects.requireNonNull(DEFAULTS.x509TrustManager(), "x509TrustManager");
    static final SSLSocketFactory SOCKETS = DEFAULTS.sslSocketFactory();

    static {
      loaded = true;
    }
  }

  private static final class Trust implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      Real.TRUST.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      Real.TRUST.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return loaded ? Real.TRUST.getAcceptedIssuers() : NONE; // asked when the base is built
    }
  }

  private static final class Sockets extends SSLSocketFactory {
    @Override
    public String[] getDefaultCipherSuites() {
      return Real.SOCKETS.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return Real.SOCKETS.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return Real.SOCKETS.createSocket();
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose)
        throws IOException {
      return Real.SOCKETS.createSocket(socket, host, port, autoClose);
    }

    @Override
    public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose)
        throws IOException {
      return Real.SOCKETS.createSocket(socket, consumed, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return Real.SOCKETS.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return Real.SOCKETS.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return Real.SOCKETS.createSocket(host, port);
    }

    @Override
    public Socket createSocket(
        InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return Real.SOCKETS.createSocket(address, port, localAddress, localPort);
    }
  }
}
