using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;

namespace Pop3.Kestrel.Protocol.Tests;

public sealed class Pop3MessageWriterTests
{
    private static byte[] RandomMessage(Random random, int maxLength)
    {
        // Mostly the octets that matter: dots, CR, LF, plus a little of everything else.
        byte[] alphabet = [(byte)'.', (byte)'.', (byte)'\r', (byte)'\n', (byte)'\n', (byte)'a', (byte)' ', 0, 0xFF];
        var bytes = new byte[random.Next(0, maxLength + 1)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = random.Next(10) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
        }

        return bytes;
    }

    [Fact]
    public void Any_octet_string_unstuffs_to_its_CRLF_normalised_form_and_TOP_is_a_prefix_of_RETR()
    {
        var random = new Random(1939_2449);
        for (var run = 0; run < 10_000; run++)
        {
            var input = RandomMessage(random, 60);
            var normalised = Reference.NormaliseCrlf(input);
            int[] cuts = [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(0, input.Length + 1)).Order()];

            var (retr, length, wireLength) = Pop3MessageEncoderTests.Encode(input, -1, cuts);
            var context = $"run {run}: input \"{Reference.Show(input)}\" cut at [{string.Join(',', cuts)}]";
            Assert.True(normalised.AsSpan().SequenceEqual(Reference.Unstuff(retr)), context);
            Assert.True(Reference.Stuff(normalised).AsSpan().SequenceEqual(retr), context);
            Assert.True(normalised.Length == length, context);
            Assert.True(retr.Length - 3 == wireLength, context);
            Assert.True(normalised.Length == Pop3MessageWriter.Measure(input), context);

            var bodyLines = random.Next(0, 5);
            var (top, _, _) = Pop3MessageEncoderTests.Encode(input, bodyLines, cuts);
            Assert.True(retr.AsSpan(0, retr.Length - 3).StartsWith(top.AsSpan(0, top.Length - 3)), context + $" TOP {bodyLines}");
            Assert.True(Reference.Stuff(Reference.Top(normalised, bodyLines)).AsSpan().SequenceEqual(top), context + $" TOP {bodyLines}");
        }
    }

    [Fact]
    public async Task A_store_stream_that_counts_more_than_it_was_given_room_for_fails_the_transfer_instead_of_sending_stale_octets()
    {
        var output = new Pipe();

        await Assert.ThrowsAsync<IOException>(async () => await Pop3MessageWriter.WriteAsync(new OvercountingStream(), output.Writer, -1, CancellationToken.None));
    }

    /// <summary>Writes one line and claims a buffer's worth more, as a stream that measured a recycled sequence did.</summary>
    private sealed class OvercountingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            "line\r\n"u8.CopyTo(buffer.Span);
            return ValueTask.FromResult(6 + 16 * 1024 + buffer.Length);
        }
    }

    [Fact]
    public void Long_messages_take_the_bulk_paths_and_still_match_the_reference()
    {
        // Long runs of unchanged CRLF lines cross the vector scan's 16/32-octet blocks at every offset, and long
        // runs of bare-LF lines go through the rewriting loop; rare dots, other endings and bare CRs interrupt them.
        var random = new Random(2449);
        for (var run = 0; run < 2_000; run++)
        {
            var bytes = new List<byte>("Subject: bulk\r\n\r\n"u8.ToArray());
            var length = random.Next(0, 4096);
            while (bytes.Count < length)
            {
                var line = random.Next(0, 120);
                var start = random.Next(30) == 0 ? (byte)'.' : (byte)'a';
                bytes.Add(start);
                for (var i = 1; i < line; i++)
                {
                    bytes.Add(random.Next(200) == 0 ? (byte)'\r' : (byte)('a' + random.Next(26)));
                }

                // Even runs: mostly CRLF lines; odd runs: mostly bare-LF lines, as Maildir files usually are.
                if (run % 2 == 0 ? random.Next(40) != 0 : random.Next(40) == 0)
                {
                    bytes.Add((byte)'\r');
                }

                bytes.Add((byte)'\n');
            }

            var input = bytes.ToArray();
            int[] cuts = [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(0, input.Length + 1)).Order()];
            var (retr, length2, wireLength) = Pop3MessageEncoderTests.Encode(input, -1, cuts);
            var normalised = Reference.NormaliseCrlf(input);
            var context = $"run {run}: {input.Length} octets cut at [{string.Join(',', cuts)}]";
            Assert.True(Reference.Stuff(normalised).AsSpan().SequenceEqual(retr), context);
            Assert.True(normalised.Length == length2, context);
            Assert.True(retr.Length - 3 == wireLength, context);
            Assert.True(normalised.Length == Pop3MessageWriter.Measure(input), context);

            var encoder = new Pop3MessageEncoder();
            encoder.Encode(input, null);
            encoder.CompleteLength();
            var lines = Reference.Lines(normalised);
            Assert.True(lines.Count - (lines.FindIndex(l => l.Length == 2) + 1) == encoder.BodyLines, context + " body lines");
        }
    }

    [Fact]
    public async Task Any_octet_string_read_in_any_sizes_is_written_like_the_reference()
    {
        var random = new Random(6856);
        for (var run = 0; run < 1_000; run++)
        {
            var input = RandomMessage(random, 300);
            var bodyLines = random.Next(-1, 4);
            var wire = await PipeRunner.WriteAsync(new TrickleStream(input, () => random.Next(1, 40)), bodyLines);
            var normalised = Reference.NormaliseCrlf(input);
            var expected = Reference.Stuff(bodyLines < 0 ? normalised : Reference.Top(normalised, bodyLines));
            Assert.True(expected.AsSpan().SequenceEqual(wire), $"run {run}: TOP/RETR {bodyLines} of \"{Reference.Show(input)}\"");
        }
    }

    [Fact]
    public async Task WriteAsync_flushes_as_it_goes_so_a_10_MiB_message_passes_a_64_KiB_pipe()
    {
        // LF-only lines, a third starting with '.', so the wire is larger than the message.
        var message = new byte[10 * 1024 * 1024];
        var random = new Random(10);
        for (var i = 0; i < message.Length; i++)
        {
            message[i] = (byte)(i % 50 == 49 ? '\n' : i % 50 == 0 && random.Next(3) == 0 ? '.' : 'a' + random.Next(26));
        }

        var expectedWire = Reference.Stuff(Reference.NormaliseCrlf(message));
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));

        var writing = Task.Run(async () =>
        {
            var ok = await Pop3MessageWriter.WriteAsync(new MemoryStream(message), pipe.Writer, -1, CancellationToken.None);
            await pipe.Writer.FlushAsync();
            await pipe.Writer.CompleteAsync();
            return ok;
        });

        bool? writerDoneAtFirstRead = null;
        long received = 0, largestBuffer = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (true)
        {
            var result = await pipe.Reader.ReadAsync();
            writerDoneAtFirstRead ??= writing.IsCompleted;
            largestBuffer = Math.Max(largestBuffer, result.Buffer.Length);
            foreach (var segment in result.Buffer)
            {
                hash.AppendData(segment.Span);
            }

            received += result.Buffer.Length;
            pipe.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await pipe.Reader.CompleteAsync();
        Assert.True(await writing);
        Assert.False(writerDoneAtFirstRead, "The reader saw data only after WriteAsync returned: it did not flush as it went");
        Assert.True(largestBuffer <= 256 * 1024, $"{largestBuffer} octets waited in the pipe at once");
        Assert.Equal(expectedWire.Length, received);
        Assert.Equal(SHA256.HashData(expectedWire), hash.GetHashAndReset());
    }

    [Fact]
    public async Task WriteAsync_returns_false_when_the_client_has_gone()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        await pipe.Reader.CompleteAsync();
        var message = new byte[1024 * 1024];
        Array.Fill(message, (byte)'x');
        var stream = new MemoryStream(message);

        // Regression: with the reader gone a Pipe drops writes, so UnflushedBytes stayed 0, WriteAsync never
        // flushed, read all 1 MiB and returned true.
        Assert.False(await Pop3MessageWriter.WriteAsync(stream, pipe.Writer, -1, CancellationToken.None));
        Assert.True(stream.Position < message.Length, "WriteAsync kept reading the message after the client went");
    }

    [Fact]
    public async Task Top_stops_reading_the_message_once_its_lines_are_sent()
    {
        var headers = "Subject: big\r\n\r\nline 1\r\nline 2\r\n"u8.ToArray();
        var message = new byte[headers.Length + (4 * 1024 * 1024)];
        headers.CopyTo(message, 0);
        message.AsSpan(headers.Length).Fill((byte)'\n');
        var stream = new MemoryStream(message);
        var wire = await PipeRunner.WriteAsync(stream, 1);
        Assert.Equal("Subject: big\r\n\r\nline 1\r\n.\r\n"u8.ToArray(), wire);
        Assert.True(stream.Position < message.Length, "TOP read the whole message");
    }

    [Fact]
    public async Task An_empty_stream_writes_only_the_terminator()
    {
        Assert.Equal(".\r\n"u8.ToArray(), await PipeRunner.WriteAsync([], -1));
        Assert.Equal(".\r\n"u8.ToArray(), await PipeRunner.WriteAsync([], 0));
        Assert.Equal(0, await Pop3MessageWriter.MeasureAsync(new MemoryStream(), CancellationToken.None));
    }

    [Fact]
    public async Task MeasureAsync_of_a_trickled_stream_equals_the_normalised_length()
    {
        var random = new Random(11);
        var input = RandomMessage(random, 100_000);
        var measured = await Pop3MessageWriter.MeasureAsync(new TrickleStream(input, () => random.Next(1, 100)), CancellationToken.None);
        Assert.Equal(Reference.NormaliseCrlf(input).Length, measured);
    }

    [Fact]
    public async Task WriteAsync_honours_cancellation()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var pipe = new Pipe();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await Pop3MessageWriter.WriteAsync(new MemoryStream(new byte[10]), pipe.Writer, -1, cts.Token));
    }

    [Fact]
    public void The_encoder_writes_through_any_IBufferWriter()
    {
        var output = new ArrayBufferWriter<byte>(1);
        var encoder = new Pop3MessageEncoder();
        encoder.Encode(".a\n"u8, output);
        encoder.Complete(output);
        Assert.Equal("..a\r\n.\r\n"u8.ToArray(), output.WrittenSpan.ToArray());
    }
}
