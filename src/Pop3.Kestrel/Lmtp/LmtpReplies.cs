using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// Every LMTP reply in one place: fixed ones as <c>"u8</c> literals, the few that carry the host name or the size limit
/// built once from the options. Enhanced status codes (RFC 3463) throughout, as ENHANCEDSTATUSCODES promises.
/// </summary>
internal sealed class LmtpReplies
{
    public LmtpReplies(IOptions<Pop3LmtpOptions> options)
    {
        var value = options.Value;
        var host = string.IsNullOrWhiteSpace(value.HostName) ? Environment.MachineName : value.HostName.Trim();
        HostName = host;
        Greeting = Ascii($"220 {host} LMTP Pop3.Kestrel ready\r\n");
        Lhlo = Ascii(string.Create(CultureInfo.InvariantCulture,
            $"250-{host}\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 SIZE {value.MaxMessageSize}\r\n"));
        Closing = Ascii($"221 2.0.0 {host} closing connection\r\n");
        Timeout = Ascii($"421 4.4.2 {host} timeout exceeded, closing connection\r\n");
        ShuttingDown = Ascii($"421 4.3.2 {host} shutting down, try again later\r\n");
        TooManyErrors = Ascii($"421 4.7.0 {host} too many errors, closing connection\r\n");
    }

    public string HostName { get; }

    public byte[] Greeting { get; }

    public byte[] Lhlo { get; }

    public byte[] Closing { get; }

    public byte[] Timeout { get; }

    public byte[] ShuttingDown { get; }

    public byte[] TooManyErrors { get; }

    public static ReadOnlySpan<byte> Ok => "250 2.0.0 OK\r\n"u8;

    public static ReadOnlySpan<byte> SenderOk => "250 2.1.0 Sender OK\r\n"u8;

    public static ReadOnlySpan<byte> RecipientOk => "250 2.1.5 Recipient OK\r\n"u8;

    public static ReadOnlySpan<byte> StartData => "354 Start mail input; end with <CRLF>.<CRLF>\r\n"u8;

    public static ReadOnlySpan<byte> Vrfy => "252 2.5.2 Cannot VRFY user; send RCPT to find out\r\n"u8;

    public static ReadOnlySpan<byte> UseLhlo => "500 5.5.1 This is LMTP: greet with LHLO\r\n"u8;

    public static ReadOnlySpan<byte> Unrecognized => "500 5.5.1 Command unrecognized\r\n"u8;

    public static ReadOnlySpan<byte> LineTooLong => "500 5.5.2 Line too long\r\n"u8;

    public static ReadOnlySpan<byte> NotImplemented => "502 5.5.1 Command not implemented\r\n"u8;

    public static ReadOnlySpan<byte> LhloFirst => "503 5.5.1 Send LHLO first\r\n"u8;

    public static ReadOnlySpan<byte> NestedMail => "503 5.5.1 Sender already given\r\n"u8;

    public static ReadOnlySpan<byte> MailFirst => "503 5.5.1 Send MAIL FROM first\r\n"u8;

    public static ReadOnlySpan<byte> NoRecipients => "503 5.5.1 No valid recipients\r\n"u8;

    public static ReadOnlySpan<byte> LhloSyntax => "501 5.5.4 Syntax: LHLO hostname\r\n"u8;

    public static ReadOnlySpan<byte> MailSyntax => "501 5.5.4 Syntax: MAIL FROM:<address> [SIZE=n] [BODY=7BIT|8BITMIME]\r\n"u8;

    public static ReadOnlySpan<byte> RcptSyntax => "501 5.5.4 Syntax: RCPT TO:<address>\r\n"u8;

    public static ReadOnlySpan<byte> NoArguments => "501 5.5.4 No arguments allowed\r\n"u8;

    public static ReadOnlySpan<byte> BadSender => "501 5.1.7 Bad sender address syntax\r\n"u8;

    public static ReadOnlySpan<byte> BadRecipient => "501 5.1.3 Bad recipient address syntax\r\n"u8;

    public static ReadOnlySpan<byte> UnsupportedParameter => "555 5.5.4 Unsupported parameter\r\n"u8;

    public static ReadOnlySpan<byte> TooBig => "552 5.3.4 Message too big for system\r\n"u8;

    public static ReadOnlySpan<byte> TooManyRecipients => "452 4.5.3 Too many recipients\r\n"u8;

    public static ReadOnlySpan<byte> NoSuchUser => "550 5.1.1 No such user here\r\n"u8;

    public static ReadOnlySpan<byte> LookupFailed => "451 4.3.0 Cannot look the recipient up now, try again later\r\n"u8;

    public static ReadOnlySpan<byte> TemporaryFailure => "451 4.3.0 Temporary failure storing the message, try again later\r\n"u8;

    public static ReadOnlySpan<byte> InsufficientStorage => "452 4.2.2 Mailbox full or store out of space, try again later\r\n"u8;

    public static ReadOnlySpan<byte> MailboxUnavailable => "550 5.1.1 Mailbox unavailable\r\n"u8;

    public static ReadOnlySpan<byte> DeliveredStart => "250 2.0.0 <"u8;

    public static ReadOnlySpan<byte> DeliveredEnd => "> delivered\r\n"u8;

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
