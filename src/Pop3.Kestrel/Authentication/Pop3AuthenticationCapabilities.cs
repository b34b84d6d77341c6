using Pop3.Kestrel.Authentication.Sasl;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication;

/// <summary>CAPA lines of authentication: <c>SASL</c> with the mechanisms usable on this connection now (before login), and <c>UTF8</c> (RFC 6856).</summary>
internal sealed class Pop3AuthenticationCapabilities(Pop3SaslMechanisms mechanisms) : IPop3CapabilityProvider
{
    public void WriteCapabilities(Pop3SessionContext context)
    {
        if (context.State == Pop3SessionState.Authorization)
        {
            var names = string.Join(' ', mechanisms.Offered(context).Select(m => m.Name));
            if (names.Length > 0)
            {
                context.WriteAscii("SASL " + names);
            }
        }

        context.Write("UTF8\r\n"u8);
    }
}
