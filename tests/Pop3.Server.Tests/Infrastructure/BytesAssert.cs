using System.Text;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>Byte-for-byte comparison that says where the first difference is, not a megabyte dump.</summary>
public static class BytesAssert
{
    public static void Equal(byte[] expected, byte[] actual, string what)
    {
        if (Difference(expected, actual, what) is { } message)
        {
            Assert.Fail(message);
        }
    }

    /// <summary>Null when equal, otherwise a one-line description of the first difference.</summary>
    public static string? Difference(byte[] expected, byte[] actual, string what)
    {
        var at = expected.AsSpan().CommonPrefixLength(actual);
        if (at == expected.Length && at == actual.Length)
        {
            return null;
        }

        return $"{what}: expected {expected.Length} octets, got {actual.Length}; first difference at offset {at}: " +
               $"expected \"{Show(expected, at)}\", got \"{Show(actual, at)}\"";
    }

    private static string Show(byte[] bytes, int at)
    {
        var from = Math.Max(0, at - 20);
        var slice = bytes.AsSpan(from, Math.Min(bytes.Length, at + 20) - from);
        var text = new StringBuilder();
        foreach (var b in slice)
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                < 0x20 or >= 0x7f => $"\\x{b:X2}",
                _ => ((char)b).ToString(),
            });
        }

        return text.ToString();
    }
}
