namespace Pop3.Kestrel.UsersFile;

/// <summary>
/// One user of a <see cref="Pop3UsersFile"/>: a line <c>user:{SCHEME}secret:uid:gid:gecos:home:shell:extra_fields</c>.
/// Only the user and the password are used to log in; the other fields are kept as written for later use.
/// </summary>
internal sealed class Pop3UsersFileEntry
{
    internal Pop3UsersFileEntry(
        string user,
        Pop3StoredPassword password,
        int lineNumber,
        IReadOnlyList<string> userdbFields,
        IReadOnlyDictionary<string, string> extraFields)
    {
        User = user;
        Password = password;
        LineNumber = lineNumber;
        Uid = Field(userdbFields, 0);
        Gid = Field(userdbFields, 1);
        Gecos = Field(userdbFields, 2);
        Home = Field(userdbFields, 3);
        Shell = Field(userdbFields, 4);
        ExtraFields = extraFields;
    }

    /// <summary>The login name, compared ordinally (case-sensitive), as Dovecot's passwd-file does.</summary>
    public string User { get; }

    /// <summary>The parsed password; <see cref="Pop3StoredPassword.ToString"/> never shows the secret.</summary>
    internal Pop3StoredPassword Password { get; }

    /// <summary>The 1-based line of the file the entry came from.</summary>
    public int LineNumber { get; }

    /// <summary>The third field, or null when absent or empty. Not used by this server.</summary>
    public string? Uid { get; }

    /// <summary>The fourth field, or null when absent or empty. Not used by this server.</summary>
    public string? Gid { get; }

    /// <summary>The fifth field, or null when absent or empty. Not used by this server.</summary>
    public string? Gecos { get; }

    /// <summary>The sixth field, or null when absent or empty. Not used by this server.</summary>
    public string? Home { get; }

    /// <summary>The seventh field, or null when absent or empty. Not used by this server.</summary>
    public string? Shell { get; }

    /// <summary>
    /// The eighth field and beyond: space-separated <c>key=value</c> pairs (a bare <c>key</c> has an empty
    /// value), keys compared ordinally, the last of a repeated key winning. Only <c>nologin</c> has a meaning
    /// here (see <see cref="NoLogin"/>); the rest are kept as written.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExtraFields { get; }

    /// <summary>
    /// True when the extra fields have <c>nologin</c> (Dovecot's field for "the password is right but the user
    /// may not log in"): authentication of this user always fails, after the same work.
    /// </summary>
    public bool NoLogin => ExtraFields.ContainsKey("nologin");

    private static string? Field(IReadOnlyList<string> fields, int index) =>
        index < fields.Count && fields[index].Length > 0 ? fields[index] : null;
}
