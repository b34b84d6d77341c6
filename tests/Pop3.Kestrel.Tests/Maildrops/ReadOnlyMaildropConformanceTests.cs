using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Testing;
using Xunit.Sdk;

namespace Pop3.Kestrel.Tests.Maildrops;

/// <summary>The in-memory store, filled before the session as a read-only fixture would be, against the read-only profile.</summary>
public sealed class InMemoryReadOnlyConformanceTests : ReadOnlyMaildropConformanceTests
{
    private readonly InMemoryMailStore _store = new();

    protected override ValueTask<IMaildrop> CreateMaildropAsync() => ValueTask.FromResult<IMaildrop>(new InMemoryMaildrop(_store));

    protected override ValueTask<string> PrepareMailboxAsync()
    {
        var mailbox = "u" + Guid.NewGuid().ToString("N")[..16];
        _store.Add(mailbox, "Subject: one\n\n.dot\nlast line without an end"u8.ToArray());
        _store.Add(mailbox, "Subject: two\r\n\r\nlone\rCR\r\n"u8.ToArray());
        _store.Add(mailbox, "Subject: three\n\n"u8.ToArray());
        return ValueTask.FromResult(mailbox);
    }
}

/// <summary>The read-only profile fails a generated maildrop that breaks the contract, each fault in its own check.</summary>
public sealed class ReadOnlyProfileFaultTests
{
    /// <summary>One way to break the contract.</summary>
    public enum Fault
    {
        None,
        NoLock,
        ListedSizeOffByOne,
        BytesChangeOnEveryRead,
        DeletesOnDispose,
        CommitDeletesNothing,
        CommitDeletesEverything,
        UidWithASpace,
        DuplicateUids,
        ListingChangesInTheSession,
        LockNotReleased,
    }

    [Theory]
    [InlineData(Fault.NoLock, "A_second_open_while_the_first_is_open_is_in_use")]
    [InlineData(Fault.ListedSizeOffByOne, "Sizes_equal_the_octets_the_framework_sends")]
    [InlineData(Fault.BytesChangeOnEveryRead, "A_message_streams_the_same_bytes_every_time")]
    [InlineData(Fault.DeletesOnDispose, "A_session_without_a_commit_deletes_nothing")]
    [InlineData(Fault.CommitDeletesNothing, "A_commit_removes_exactly_the_given_messages")]
    [InlineData(Fault.CommitDeletesEverything, "A_commit_removes_exactly_the_given_messages")]
    [InlineData(Fault.CommitDeletesEverything, "Committing_a_message_already_gone_is_not_an_error")]
    [InlineData(Fault.UidWithASpace, "Ids_are_valid_unique_uidls_served_as_listed")]
    [InlineData(Fault.DuplicateUids, "Ids_are_valid_unique_uidls_served_as_listed")]
    [InlineData(Fault.ListingChangesInTheSession, "Listing_again_in_a_session_gives_the_same_snapshot")]
    [InlineData(Fault.LockNotReleased, "Dispose_releases_the_lock_for_the_instance_that_waited")]
    public async Task The_check_passes_a_sound_maildrop_and_fails_the_faulty_one(Fault fault, string check)
    {
        await RunAsync(Fault.None, check);

        await Assert.ThrowsAnyAsync<XunitException>(() => RunAsync(fault, check));
    }

    private static async Task RunAsync(Fault fault, string check)
    {
        var kit = new GeneratedProfile(new Generator(fault));
        await kit.InitializeAsync();
        try
        {
            var method = typeof(ReadOnlyMaildropConformanceTests).GetMethod(check, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new ArgumentException($"No check named {check}.", nameof(check));
            await (Task)method.Invoke(kit, null)!;
        }
        finally
        {
            await kit.DisposeAsync();
        }
    }

    // Not public: xunit must not run the profile over it on its own.
    private sealed class GeneratedProfile(Generator generator) : ReadOnlyMaildropConformanceTests
    {
        protected override ValueTask<IMaildrop> CreateMaildropAsync() => ValueTask.FromResult<IMaildrop>(new GeneratedMaildrop(generator));

        protected override ValueTask<string> PrepareMailboxAsync() => ValueTask.FromResult("u" + Guid.NewGuid().ToString("N")[..16]);
    }

    /// <summary>Three messages made on the fly for every mailbox, like simpletest.pl, with deletions remembered.</summary>
    private sealed class Generator(Fault fault)
    {
        public Fault Fault { get; } = fault;

        public ConcurrentDictionary<string, bool> Locked { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<(string Mailbox, string Id), bool> Deleted { get; } = new();

        public int Reads;

        public int Lists;

        public string[] Ids(string mailbox) => Fault switch
        {
            Fault.UidWithASpace => ["1", "2 x", "3"],
            Fault.DuplicateUids => ["1", "1", "3"],
            _ => ["1", "2", "3"],
        };

        public byte[] Message(string mailbox, string id)
        {
            var read = Fault == Fault.BytesChangeOnEveryRead ? $" read {Interlocked.Increment(ref Reads)}" : "";
            return Encoding.ASCII.GetBytes($"Subject: {id}\n\n.message {id} of {mailbox}{read}\n");
        }
    }

    private sealed class GeneratedMaildrop(Generator generator) : IMaildrop
    {
        private string? _mailbox;

        public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken)
        {
            if (!generator.Locked.TryAdd(mailbox, true) && generator.Fault != Fault.NoLock)
            {
                return ValueTask.FromResult(MaildropOpenStatus.InUse);
            }

            _mailbox = mailbox;
            return ValueTask.FromResult(MaildropOpenStatus.Opened);
        }

        public ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken)
        {
            var mailbox = _mailbox!;
            var ids = generator.Ids(mailbox).Where(id => !generator.Deleted.ContainsKey((mailbox, id)));
            if (generator.Fault == Fault.ListingChangesInTheSession && Interlocked.Increment(ref generator.Lists) > 1)
            {
                ids = ids.Skip(1);
            }

            return ValueTask.FromResult<IReadOnlyList<MaildropMessage>>(ids
                .Select(id => new MaildropMessage(id, generator.Fault == Fault.ListedSizeOffByOne ? Protocol.Pop3MessageWriter.Measure(generator.Message(mailbox, id)) + 1 : null))
                .ToArray());
        }

        public ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken) =>
            ValueTask.FromResult<Stream>(new MemoryStream(generator.Message(_mailbox!, message.Id)));

        public ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken)
        {
            var ids = generator.Fault switch
            {
                Fault.CommitDeletesNothing => [],
                Fault.CommitDeletesEverything => generator.Ids(_mailbox!),
                _ => deleted.Select(m => m.Id),
            };
            foreach (var id in ids)
            {
                generator.Deleted[(_mailbox!, id)] = true;
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (_mailbox is { } mailbox)
            {
                if (generator.Fault == Fault.DeletesOnDispose)
                {
                    generator.Deleted[(mailbox, "1")] = true;
                }

                if (generator.Fault != Fault.LockNotReleased)
                {
                    generator.Locked.TryRemove(mailbox, out _);
                }

                _mailbox = null;
            }

            return ValueTask.CompletedTask;
        }
    }
}
