using System.Reflection;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Testing;
using Xunit.Sdk;

namespace Pop3.Kestrel.Tests.Maildrops;

/// <summary>
/// The kit's size and UIDL checks, which apply the framework's serving rules without its internals, pass the
/// in-memory store and fail the same store with one fault in what it lists.
/// </summary>
public sealed class MaildropProfileFaultTests
{
    /// <summary>One way to list wrongly.</summary>
    public enum Fault
    {
        None,
        ListedSizeOffByOne,
        ReadyListingSizeOffByOne,
        UidWithASpace,
        DuplicateUids,
    }

    [Theory]
    [InlineData(Fault.ListedSizeOffByOne, "Listed_sizes_equal_the_crlf_octets_of_the_stream", "lf")]
    [InlineData(Fault.ListedSizeOffByOne, "Listed_sizes_equal_the_crlf_octets_of_the_stream", "no-final-newline")]
    [InlineData(Fault.ReadyListingSizeOffByOne, "Listed_sizes_equal_the_crlf_octets_of_the_stream", "dots")]
    [InlineData(Fault.UidWithASpace, "Ids_are_valid_uidls_served_as_listed", null)]
    [InlineData(Fault.DuplicateUids, "Ids_are_valid_uidls_served_as_listed", null)]
    public async Task The_check_passes_a_sound_maildrop_and_fails_the_faulty_one(Fault fault, string check, string? shape)
    {
        await RunAsync(Fault.None, check, shape);

        await Assert.ThrowsAnyAsync<XunitException>(() => RunAsync(fault, check, shape));
    }

    private static async Task RunAsync(Fault fault, string check, string? shape)
    {
        var kit = new Profile(fault);
        await kit.InitializeAsync();
        try
        {
            var method = typeof(MaildropConformanceTests).GetMethod(check, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new ArgumentException($"No check named {check}.", nameof(check));
            await (Task)method.Invoke(kit, shape is null ? null : [shape])!;
        }
        finally
        {
            await kit.DisposeAsync();
        }
    }

    // Not public: xunit must not run the profile over it on its own.
    private sealed class Profile(Fault fault) : MaildropConformanceTests
    {
        private readonly InMemoryMailStore _store = new();

        protected override ValueTask<IMaildrop> CreateMaildropAsync() => ValueTask.FromResult<IMaildrop>(new FaultyMaildrop(new InMemoryMaildrop(_store), fault));

        protected override ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message)
        {
            _store.Add(mailbox, message);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The in-memory maildrop, listing with <paramref name="fault"/>; reads and deletions go to the message listed.</summary>
    private sealed class FaultyMaildrop(IMaildrop inner, Fault fault) : IMaildrop
    {
        private readonly Dictionary<MaildropMessage, MaildropMessage> _listed = new(ReferenceEqualityComparer.Instance);

        public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken) => inner.OpenAsync(mailbox, cancellationToken);

        public async ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken)
        {
            var messages = new List<MaildropMessage>();
            foreach (var message in await inner.ListAsync(cancellationToken))
            {
                var size = message.Size ?? await MeasureAsync(message, cancellationToken);
                var shown = fault switch
                {
                    Fault.ListedSizeOffByOne or Fault.ReadyListingSizeOffByOne => message with { Size = size + 1 },
                    Fault.UidWithASpace => message with { Id = message.Id + " x" },
                    Fault.DuplicateUids => message with { Id = "same" },
                    _ => message,
                };
                _listed[shown] = message;
                messages.Add(shown);
            }

            return fault == Fault.ReadyListingSizeOffByOne ? new MaildropListing(messages) : messages;
        }

        public ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken) =>
            inner.OpenMessageAsync(_listed[message], cancellationToken);

        public ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken) =>
            inner.CommitDeletionsAsync([.. deleted.Select(m => _listed[m])], cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        private async Task<long> MeasureAsync(MaildropMessage message, CancellationToken cancellationToken)
        {
            await using var stream = await inner.OpenMessageAsync(message, cancellationToken);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken);
            return Protocol.Pop3MessageWriter.Measure(copy.ToArray());
        }
    }
}
