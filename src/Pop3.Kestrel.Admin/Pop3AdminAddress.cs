using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Pop3.Kestrel.Admin;

/// <summary>
/// <c>Pop3:Admin:Address</c>, read as the POP3 listeners read <c>Pop3:Endpoints:*:Address</c>: an IP address,
/// <c>localhost</c>, or <c>*</c>/<c>any</c>/empty for every address.
/// </summary>
internal static class Pop3AdminAddress
{
    public static bool TryParse(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "*" or "any" or "":
                address = IPAddress.IPv6Any;
                return true;
            case "localhost":
                address = IPAddress.Loopback;
                return true;
            default:
                return IPAddress.TryParse(text, out address);
        }
    }
}
