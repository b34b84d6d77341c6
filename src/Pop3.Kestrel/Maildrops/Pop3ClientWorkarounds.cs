namespace Pop3.Kestrel.Maildrops;

/// <summary>Dovecot's <c>pop3_client_workarounds</c> that change message bytes, opt-in (<c>Pop3:ClientWorkarounds</c>).</summary>
[Flags]
internal enum Pop3ClientWorkarounds
{
    /// <summary>None: messages are served as stored.</summary>
    None = 0,

    /// <summary><c>outlook-no-nuls</c>: Outlook and Outlook Express hang on NUL bytes, so each is sent as 0x80.</summary>
    OutlookNoNuls = 1,

    /// <summary><c>oe-ns-eoh</c>: Outlook Express and Netscape Mail break when the empty line ending the headers is missing, so it is added.</summary>
    OeNsEoh = 2,
}
