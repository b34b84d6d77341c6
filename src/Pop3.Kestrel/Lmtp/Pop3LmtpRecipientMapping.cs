namespace Pop3.Kestrel.Lmtp;

/// <summary>Which user an LMTP recipient address names (<c>Pop3:Lmtp:RecipientMapping</c>).</summary>
internal enum Pop3LmtpRecipientMapping
{
    /// <summary>The local part: <c>alice@example.org</c> is user <c>alice</c>.</summary>
    LocalPart,

    /// <summary>The whole address, its domain in lower case: <c>Alice@Example.org</c> is user <c>Alice@example.org</c>.</summary>
    Address,
}
