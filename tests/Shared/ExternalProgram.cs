namespace Pop3.Tests;

/// <summary>
/// A program outside .NET that a test drives, and the Debian package that provides it: what a skip or a failure
/// names when the program is not installed.
/// </summary>
/// <remarks>
/// Find one with <see cref="Locate"/> rather than by a path of its own: the lookup is the one place that decides
/// between running, skipping and failing (see <see cref="ExternalProgramLookup"/>).
/// </remarks>
internal sealed record ExternalProgram(string Name, string DebianPackage)
{
    public static ExternalProgram Curl { get; } = new("curl", "curl");

    public static ExternalProgram Fetchmail { get; } = new("fetchmail", "fetchmail");

    public static ExternalProgram Mpop { get; } = new("mpop", "mpop");

    public static ExternalProgram OpenSsl { get; } = new("openssl", "openssl");

    public static ExternalProgram Python3 { get; } = new("python3", "python3");

    public static ExternalProgram Unzip { get; } = new("unzip", "unzip");

    public static ExternalProgram Doveadm { get; } = new("doveadm", "dovecot-core");

    public static ExternalProgram Dovecot { get; } = new("dovecot", "dovecot-core");

    public static ExternalProgram Stat { get; } = new("stat", "coreutils");

    public static ExternalProgram Chown { get; } = new("chown", "coreutils");

    public static ExternalProgram Runuser { get; } = new("runuser", "util-linux");

    /// <summary>PostgreSQL's initdb: Debian keeps it off PATH, in the folder <c>pg_config --bindir</c> names.</summary>
    public static ExternalProgram Initdb { get; } = new("initdb", "postgresql-15") { InPostgreSqlBinDir = true };

    /// <summary>PostgreSQL's pg_ctl, found as <see cref="Initdb"/> is.</summary>
    public static ExternalProgram PgCtl { get; } = new("pg_ctl", "postgresql-15") { InPostgreSqlBinDir = true };

    /// <summary>Every program above, for a look-up by name.</summary>
    public static IReadOnlyList<ExternalProgram> Known { get; } =
        [Curl, Fetchmail, Mpop, OpenSsl, Python3, Unzip, Doveadm, Dovecot, Stat, Chown, Runuser, Initdb, PgCtl];

    /// <summary>True for PostgreSQL's server programs, which are also looked for in <c>pg_config --bindir</c>.</summary>
    public bool InPostgreSqlBinDir { get; init; }

    /// <summary>What a test without this program says: <c>needs fetchmail (Debian package fetchmail)</c>.</summary>
    public string Needs => $"needs {Name} (Debian package {DebianPackage})";

    /// <summary>The full path of the program; a skip, or a failure when programs are required, if it is not installed.</summary>
    public string Locate() => ExternalProgramLookup.FromEnvironment.Locate(this);

    /// <summary>The known program called <paramref name="name"/>, or a new one provided by <paramref name="debianPackage"/>.</summary>
    public static ExternalProgram Named(string name, string debianPackage) =>
        Known.FirstOrDefault(program => program.Name == name) ?? new ExternalProgram(name, debianPackage);
}
