using System.Text;
using Pop3.Kestrel.Lmtp;

namespace Pop3.Server.Tests.Lmtp;

public sealed class LmtpCommandParserTests
{
    [Theory]
    [InlineData("LHLO x", "Lhlo", "x")]
    [InlineData("lhlo x", "Lhlo", "x")]
    [InlineData("MAIL FROM:<a@b>", "Mail", "FROM:<a@b>")]
    [InlineData("rCpT TO:<a@b>", "Rcpt", "TO:<a@b>")]
    [InlineData("DATA", "Data", "")]
    [InlineData("RSET", "Rset", "")]
    [InlineData("NOOP", "Noop", "")]
    [InlineData("QUIT", "Quit", "")]
    [InlineData("VRFY alice", "Vrfy", "alice")]
    [InlineData("HELO x", "Helo", "x")]
    [InlineData("EHLO x", "Helo", "x")]
    [InlineData("EXPN list", "NotImplemented", "list")]
    [InlineData("BDAT 10 LAST", "NotImplemented", "10 LAST")]
    [InlineData("STARTTLS", "NotImplemented", "")]
    [InlineData("DATAX", "Unknown", "")]
    [InlineData("DAT", "Unknown", "")]
    [InlineData("", "Unknown", "")]
    [InlineData("D\u00c1TA", "Unknown", "")]
    public void Verbs_are_matched_without_regard_to_case(string line, string verb, string arguments)
    {
        var expected = Enum.Parse<LmtpCommand>(verb);
        Assert.Equal(expected, LmtpCommandParser.Parse(Encoding.Latin1.GetBytes(line), out var rest));
        if (expected != LmtpCommand.Unknown)
        {
            Assert.Equal(arguments, Encoding.Latin1.GetString(rest));
        }
    }

    [Theory]
    [InlineData("FROM:<a@example.org>", "a@example.org", "")]
    [InlineData("from: <a@example.org> SIZE=10 BODY=8BITMIME", "a@example.org", "SIZE=10 BODY=8BITMIME")]
    [InlineData("FROM:<>", "", "")]
    [InlineData("FROM:<\"odd >name\"@example.org>", "\"odd >name\"@example.org", "")]
    public void Paths_are_taken_from_between_the_angle_brackets(string arguments, string path, string parameters)
    {
        Assert.True(LmtpCommandParser.TrySplitPath(Encoding.Latin1.GetBytes(arguments), "FROM:"u8, out var p, out var rest));
        Assert.Equal(path, Encoding.Latin1.GetString(p));
        Assert.Equal(parameters, Encoding.Latin1.GetString(rest));
    }

    [Theory]
    [InlineData("FROM:a@example.org")]
    [InlineData("FROM:<a@example.org")]
    [InlineData("TO:<a@example.org>")]
    [InlineData("FROM:<a@example.org>SIZE=1")]
    [InlineData("")]
    public void Malformed_paths_are_refused(string arguments)
    {
        Assert.False(LmtpCommandParser.TrySplitPath(Encoding.Latin1.GetBytes(arguments), "FROM:"u8, out _, out _));
    }

    [Theory]
    [InlineData("alice@example.org", nameof(Pop3LmtpRecipientMapping.LocalPart), "alice")]
    [InlineData("alice@Example.ORG", nameof(Pop3LmtpRecipientMapping.Address), "alice@example.org")]
    [InlineData("Alice@example.org", nameof(Pop3LmtpRecipientMapping.LocalPart), "Alice")]
    [InlineData("\"al ice\"@example.org", nameof(Pop3LmtpRecipientMapping.LocalPart), "al ice")]
    [InlineData("\"a\\\"b\"@example.org", nameof(Pop3LmtpRecipientMapping.LocalPart), "a\"b")]
    [InlineData("@relay.example,@other.example:bob@example.org", nameof(Pop3LmtpRecipientMapping.LocalPart), "bob")]
    [InlineData("postmaster", nameof(Pop3LmtpRecipientMapping.Address), "postmaster")]
    [InlineData("user@host@example.org", nameof(Pop3LmtpRecipientMapping.LocalPart), "user@host")]
    // The mapping travels by name: the enum is internal and a public theory cannot take it as a parameter.
    public void Recipients_name_users_by_the_mapping(string path, string mapping, string user)
    {
        Assert.True(LmtpCommandParser.TrySplitMailbox(Encoding.Latin1.GetBytes(path), out var local, out var domain));
        Assert.Equal(user, LmtpCommandParser.UserOf(local, domain, Enum.Parse<Pop3LmtpRecipientMapping>(mapping)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("@example.org")]
    [InlineData("alice@")]
    [InlineData("al ice@example.org")]
    [InlineData("\"unterminated@example.org")]
    [InlineData("tab\t@example.org")]
    public void Strings_that_are_no_mailbox_are_refused(string path)
    {
        Assert.False(LmtpCommandParser.TrySplitMailbox(Encoding.Latin1.GetBytes(path), out _, out _));
    }

    [Theory]
    [InlineData("", "Valid", -1)]
    [InlineData("SIZE=4096", "Valid", 4096)]
    [InlineData("size=0 body=7bit", "Valid", 0)]
    [InlineData("BODY=8BITMIME SIZE=12", "Valid", 12)]
    [InlineData("SIZE=-1", "Malformed", -1)]
    [InlineData("SIZE=12x", "Malformed", -1)]
    [InlineData("SIZE=99999999999999999999", "Malformed", -1)]
    [InlineData("BODY=BINARYMIME", "Unsupported", -1)]
    [InlineData("RET=HDRS", "Unsupported", -1)]
    [InlineData("SMTPUTF8", "Unsupported", -1)]
    public void Mail_parameters_know_size_and_body_only(string parameters, string result, long size)
    {
        var expected = Enum.Parse<LmtpCommandParser.MailParameters>(result);
        Assert.Equal(expected, LmtpCommandParser.ParseMailParameters(Encoding.Latin1.GetBytes(parameters), out var declared));
        if (expected == LmtpCommandParser.MailParameters.Valid)
        {
            Assert.Equal(size, declared);
        }
    }
}
