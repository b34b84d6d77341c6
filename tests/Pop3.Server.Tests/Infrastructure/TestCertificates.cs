using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>Self-signed certificates written as PEM files, as certbot would leave them.</summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "pop3-tls-" + Guid.NewGuid().ToString("N"));

    public string CertificatePath => Path.Combine(Folder, "fullchain.pem");

    public string KeyPath => Path.Combine(Folder, "privkey.pem");

    /// <summary>Writes a new certificate for <paramref name="subject"/> (atomically, by rename) and returns it.</summary>
    public X509Certificate2 Write(string subject = "localhost")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(subject);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(30));
        Replace(KeyPath, key.ExportPkcs8PrivateKeyPem());
        Replace(CertificatePath, certificate.ExportCertificatePem());
        return certificate;
    }

    public static void Replace(string path, string text)
    {
        var temporary = path + ".new";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
