using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Pop3.Kestrel.Protocol.Tests;

/// <summary>
/// FsCheck properties of the one dot-stuffing writer. The seeded loops in <see cref="Pop3MessageWriterTests"/>
/// cover many inputs; these add shrinking (a failure comes back as the smallest input that shows it) and
/// arbitrary chunking through a real pipe.
/// </summary>
public sealed class DotStuffingProperties
{
    /// <summary>Byte strings rich in what matters to dot-stuffing: dots, CR, LF, at line starts and chunk edges.</summary>
    public static class MailBytes
    {
        public static Arbitrary<byte[]> Bytes() =>
            Gen.Frequency(
                    (4, Gen.Elements((byte)'.', (byte)'\r', (byte)'\n', (byte)'a', (byte)' ')),
                    (1, ArbMap.Default.GeneratorFor<byte>()))
                .ArrayOf()
                .ToArbitrary();
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(MailBytes)])]
    public bool Unstuffing_the_dot_stuffed_output_gives_the_crlf_normalised_input(byte[] message, PositiveInt chunk)
    {
        var wire = PipeRunner.WriteAsync(new TrickleStream(message, () => chunk.Get), -1).GetAwaiter().GetResult();
        return Reference.Unstuff(wire).AsSpan().SequenceEqual(Reference.NormaliseCrlf(message))
            && Pop3MessageWriter.Measure(message) == Reference.NormaliseCrlf(message).Length;
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(MailBytes)])]
    public bool Top_n_k_is_a_prefix_of_retr_n(byte[] message, NonNegativeInt bodyLines, PositiveInt chunk)
    {
        var retr = PipeRunner.WriteAsync(new TrickleStream(message, () => chunk.Get), -1).GetAwaiter().GetResult();
        var top = PipeRunner.WriteAsync(new TrickleStream(message, () => chunk.Get), bodyLines.Get).GetAwaiter().GetResult();
        return Reference.Unstuff(retr).AsSpan().StartsWith(Reference.Unstuff(top));
    }
}
