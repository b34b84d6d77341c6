using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir.Tests;

/// <summary>
/// Every size this store reports comes from <see cref="MaildropMessage.MeasureSize"/>; if this fails, the size tests here
/// fail for that reason, not because of the Maildir code. (At the branch point of <c>maildir</c>,
/// <c>new Pop3MessageEncoder()</c> ran the struct's implicit parameterless constructor and measured 0;
/// fixed on <c>main</c> by 5a47eb2.)
/// </summary>
public sealed class MeasureCanaryTests
{
    [Fact]
    public async Task Message_writer_measures_CRLF_octets()
    {
        Assert.Equal(5, MaildropMessage.MeasureSize("one\r\n"u8));
        Assert.Equal(8, await MaildropMessage.MeasureSizeAsync(new MemoryStream("one\n."u8.ToArray()), CancellationToken.None));
    }
}
