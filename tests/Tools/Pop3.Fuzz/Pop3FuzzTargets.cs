using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pop3.Kestrel;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Authentication.Sasl;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.OAuthBearer;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;
using Pop3.Kestrel.UsersFile;

namespace Pop3.Fuzz;

/// <summary>
/// What the fuzzers run on each input. A target throws <see cref="FuzzFailure"/> (or anything else) for a bug:
/// a broken invariant, an exception, a hang, an allocation out of proportion to the input.
/// </summary>
public static class Pop3FuzzTargets
{
    /// <summary>Every target on one input.</summary>
    public static void All(ReadOnlySpan<byte> input)
    {
        Framing(input);
        Parsing(input);
        Sasl(input);
        Session(input);
    }

    /// <summary>
    /// The SASL and credential decoders on the input as a client message (bytes, and as text both ways):
    /// PLAIN, OAUTHBEARER, XOAUTH2, saslname, the users-file line and stored-password parsers. They may refuse
    /// anything; they must not throw.
    /// </summary>
    public static void Sasl(ReadOnlySpan<byte> input)
    {
        if (PlainMechanism.TryParse(input, out var authzid, out var authcid, out var password))
        {
            Check(authzid.Length + authcid.Length + password.Length <= input.Length, "PLAIN decoded more than it was given");
        }

        Pop3SaslText.TryDecodeField(input, out _);
        foreach (var text in new[] { Encoding.Latin1.GetString(input), Encoding.UTF8.GetString(input) })
        {
            OAuthBearerMechanism.Parse(text, out _, out _);
            XOAuth2Mechanism.Parse(text, out _, out _);
            BearerExchange.TryGetBearer(text, out _);
            Pop3SaslText.TryDecodeSaslName(text, out _);
            Pop3StoredPassword.TryParse(text, out _, out _);
            Pop3UsersFile.Parse(new StringReader(text));
        }
    }

    /// <summary>
    /// The framer over the input cut into segments at places the input itself chooses, fed as data arrives the
    /// way the session feeds it: exactly one Line or TooLong per CRLF, never a line over the limit, never a
    /// CRLF inside a line, and what is kept between reads stays below the limit.
    /// </summary>
    public static void Framing(ReadOnlySpan<byte> input)
    {
        var limit = input.Length > 0 ? 3 + (input[0] % 64) : 255;
        foreach (var maxLine in new[] { limit, Pop3LineFramer.DefaultMaxLineLength })
        {
            var framer = new Pop3LineFramer(maxLine);
            var kept = Array.Empty<byte>();
            var results = 0;
            var position = 0;
            var step = input.Length > 1 ? 1 + (input[1] % 17) : 1;
            while (position < input.Length)
            {
                var take = Math.Min(step, input.Length - position);
                var arrived = Concat(kept, input.Slice(position, take));
                position += take;
                var buffer = Segmented(arrived, step);
                while (true)
                {
                    var status = framer.TryReadLine(ref buffer, out var line);
                    if (status == Pop3FrameStatus.Incomplete)
                    {
                        break;
                    }

                    results++;
                    if (status == Pop3FrameStatus.Line)
                    {
                        Check(line.Length + 2 <= maxLine, "a line over the limit was returned");
                        Check(IndexOf(line.ToArray(), "\r\n"u8) < 0, "a returned line holds a CRLF");
                    }
                }

                kept = buffer.ToArray();
                Check(kept.Length <= Math.Max(maxLine, 1), $"the framer keeps {kept.Length} octets with a limit of {maxLine}");
            }

            var crlfs = Count(input, "\r\n"u8);
            Check(results == crlfs, $"{results} lines from {crlfs} CRLFs");
        }
    }

    /// <summary>The parser on every line of the input: no exception, arguments within the line, numbers in range.</summary>
    public static void Parsing(ReadOnlySpan<byte> input)
    {
        var rest = input;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var command = Pop3CommandParser.Parse(line, out var start);
            Check(start >= 0 && start <= line.Length, "arguments start outside the line");
            Check(Enum.IsDefined(command), "an undefined command");
            var arguments = line[start..];
            for (var i = 0; i < 4 && !arguments.IsEmpty; i++)
            {
                var argument = Pop3CommandParser.NextArgument(ref arguments);
                if (Pop3CommandParser.TryParseNumber(argument, out var number))
                {
                    Check(number >= 0, "a negative number parsed");
                    Check(number.ToString(System.Globalization.CultureInfo.InvariantCulture) == Encoding.ASCII.GetString(argument).TrimStart('0').PadLeft(1, '0'), "a number that does not round-trip");
                }
            }
        }
    }

    /// <summary>
    /// A whole session over in-memory pipes with the input as everything the client sends (after a login when
    /// the first octet is odd). It must end on its own within seconds once the input is used up, never by an
    /// internal error, and allocate in proportion to the input.
    /// </summary>
    public static void Session(ReadOnlySpan<byte> input)
    {
        var login = input.Length > 0 && (input[0] & 1) == 1;
        var client = login ? Concat("USER alice\r\nPASS secret\r\n"u8.ToArray(), input) : input.ToArray();
        using var provider = BuildServices();
        var run = Task.Run(() =>
        {
            // Input all written and the pipe completed before the session starts; the output pipe never pauses.
            // So the session runs to its end synchronously on this thread, and this thread's allocations are its own.
            var toServer = new Pipe();
            var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
            toServer.Writer.Write(client);
            toServer.Writer.Complete();
            var scope = provider.CreateAsyncScope();
            var session = provider.GetRequiredService<Pop3SessionFactory>().Create(scope.ServiceProvider);
            var info = new Pop3ConnectionInfo("fuzz", new IPEndPoint(IPAddress.Loopback, 50000), new IPEndPoint(IPAddress.Loopback, 110));
            var before = GC.GetAllocatedBytesForCurrentThread();
            var summary = session.RunAsync(new DuplexPipe(toServer.Reader, toClient.Writer), info, CancellationToken.None);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return (Summary: summary, Allocated: summary.IsCompleted ? allocated : -1, Scope: scope, Output: toClient);
        });

        Check(run.Wait(TimeSpan.FromSeconds(20)), "the session setup hung");
        var (pending, allocatedBytes, scope, output) = run.Result;
        Check(pending.Wait(TimeSpan.FromSeconds(20)), "the session did not end after its input did");
        var summary = pending.Result;
        scope.DisposeAsync().AsTask().Wait();
        Check(summary.End != Pop3SessionEnd.Error, "the session ended by an internal error");

        // Replies for the stored messages are bounded (64 KiB of mail in all), so allocation scales with the commands sent.
        var bound = (1L << 20) + (client.Length * 1024L);
        Check(allocatedBytes >= 0, "the session did not run synchronously, so its allocations were not measured");
        Check(allocatedBytes <= bound, $"the session allocated {allocatedBytes} octets for {client.Length} octets of input");

        output.Writer.Complete();
        Check(output.Reader.TryRead(out var result), "no output");
        var text = result.Buffer;
        Check(text.Length >= 5 && text.FirstSpan[0] == (byte)'+', "no greeting");
        output.Reader.Complete();
    }

    /// <summary>Real commands to start from: the fuzzers' seed corpus.</summary>
    public static IReadOnlyList<byte[]> Seeds { get; } =
    [
        .. new[]
        {
            "CAPA\r\nQUIT\r\n",
            "USER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\nQUIT\r\n",
            "\u0001STAT\r\nLIST 1\r\nRETR 1\r\nTOP 2 0\r\nTOP 1 3\r\nUIDL 2\r\nDELE 1\r\nRETR 1\r\nRSET\r\nNOOP\r\nQUIT\r\n",
            "\u0001DELE 1\r\nDELE 2\r\nDELE 3\r\nSTAT\r\nLIST\r\nQUIT\r\n",
            "USER alice\r\nPASS wrong\r\nUSER bob\r\nPASS hunter 2\r\nLIST 0\r\nLIST 4294967296\r\nRETR -1\r\nTOP 1\r\nQUIT\r\n",
            "APOP alice 0123456789abcdef0123456789abcdef\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nAUTH\r\n*\r\nUTF8\r\nSTLS\r\n",
            "user alice\r\npass secret\r\nlist\r\nretr 2\r\nquit\r\n",
            "USER alice\nPASS secret\r\n\r\n\0\0\r\n",
            "AUTH PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\nAUTH LOGIN YWxpY2U=\r\nc2VjcmV0\r\nAUTH CRAM-MD5\r\n*\r\n",
            "\0alice\0secret",
            "n,a=alice,\u0001auth=Bearer eyJhbGciOiJIUzI1NiJ9.e30.x\u0001\u0001",
            "user=alice\u0001auth=Bearer token\u0001\u0001",
            "alice:{PLAIN}secret:1000:1000::/home/alice::userdb_mail=maildir:~/Maildir\nbob:{SHA512-CRYPT}$6$rounds=5000$salt$hash\n",
        }.Select(Encoding.Latin1.GetBytes),
    ];

    private static ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        // No failed-login delay: it is a timer, so a session with a failed login would no longer run synchronously
        // and its allocations could not be measured (AFL++ found exactly that, as 14 "crashes").
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pop3:Authentication:FailureDelay"] = "00:00:00",
        }).Build());
        services.AddSingleton<IHostApplicationLifetime, NoLifetime>();
        services.AddSingleton<IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        services.AddPop3Server().AddInMemoryMaildrop(store =>
        {
            store.Add("alice", "From: a@example.org\r\nSubject: one\r\n\r\nHello\r\n.dot line\r\n"u8.ToArray());
            store.Add("alice", "Subject: two\n\nline 1\n..two dots\nno final newline"u8.ToArray());
            store.Add("alice", new byte[2000]);
            store.Add("bob", "Subject: bob's\r\n\r\n.\r\n"u8.ToArray());
        });
        services.AddSingleton<IPop3Authenticator, FuzzUsers>();
        return services.BuildServiceProvider();
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzFailure(message);
        }
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var joined = new byte[a.Length + b.Length];
        a.CopyTo(joined);
        b.CopyTo(joined.AsSpan(a.Length));
        return joined;
    }

    private static int Count(ReadOnlySpan<byte> data, ReadOnlySpan<byte> value)
    {
        var count = 0;
        int at;
        while ((at = data.IndexOf(value)) >= 0)
        {
            count++;
            data = data[(at + value.Length)..];
        }

        return count;
    }

    private static int IndexOf(ReadOnlySpan<byte> data, ReadOnlySpan<byte> value) => data.IndexOf(value);

    /// <summary>The bytes as a sequence of segments of <paramref name="size"/> octets (some empty, as pipes can give).</summary>
    private static ReadOnlySequence<byte> Segmented(byte[] data, int size)
    {
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment? first = null;
        Segment? last = null;
        for (var at = 0; at < data.Length; at += size)
        {
            var part = data.AsMemory(at, Math.Min(size, data.Length - at));
            last = last is null ? first = new Segment(part, 0) : last.Append(part);
            if (size % 3 == 0)
            {
                last = last.Append(ReadOnlyMemory<byte>.Empty);
            }
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }

    private sealed class FuzzUsers : IPop3Authenticator
    {
        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult((user, password) switch
            {
                ("alice", "secret") => Pop3AuthenticationResult.Success("alice"),
                ("bob", "hunter 2") => Pop3AuthenticationResult.Success("bob"),
                _ => Pop3AuthenticationResult.Failure,
            });
    }

    private sealed class NoLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}

/// <summary>A broken invariant found by a fuzz target.</summary>
public sealed class FuzzFailure(string message) : Exception(message);
