using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>UIDL [msg] (RFC 1939 §7): unique ids of the messages not marked as deleted.</summary>
internal sealed class UidlCommandHandler : ListingCommandHandler
{
    public override Pop3Command Command => Pop3Command.Uidl;

    protected override void WriteHeader(Pop3SessionContext context) => context.Write(Pop3Replies.UidlHeader);

    protected override void WriteEntry(Pop3SessionContext context, Pop3Maildrop maildrop, int number, bool ok) =>
        Pop3Replies.WriteUid(context.Output, number, maildrop.UidOf(number), ok);
}
