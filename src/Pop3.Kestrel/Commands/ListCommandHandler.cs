using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>LIST [msg] (RFC 1939 §5): sizes of the messages not marked as deleted.</summary>
internal sealed class ListCommandHandler : ListingCommandHandler
{
    public override Pop3Command Command => Pop3Command.List;

    protected override void WriteHeader(Pop3SessionContext context) => context.Write(Pop3Replies.ListHeader);

    protected override void WriteEntry(Pop3SessionContext context, Pop3Maildrop maildrop, int number, bool ok)
    {
        if (ok)
        {
            Pop3Replies.WriteOk(context.Output, number, maildrop.SizeOf(number));
        }
        else
        {
            Pop3Replies.WritePair(context.Output, number, maildrop.SizeOf(number));
        }
    }
}
