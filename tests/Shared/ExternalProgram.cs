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

    public static ExternalProgram Haproxy { get; } = new("haproxy", "haproxy");

    /// <summary>Debian's Chromium, driven headless through <see cref="ChromeDriver"/>.</summary>
    public static ExternalProgram Chromium { get; } = new("chromium", "chromium");

    /// <summary>The WebDriver server for <see cref="Chromium"/>.</summary>
    public static ExternalProgram ChromeDriver { get; } = new("chromedriver", "chromium-driver");

    /// <summary>An SMTP and LMTP test client.</summary>
    public static ExternalProgram Swaks { get; } = new("swaks", "swaks");

    /// <summary>Postfix's control program (a private instance is started with <c>postfix -c DIR start</c>).</summary>
    public static ExternalProgram Postfix { get; } = new("postfix", "postfix");

    /// <summary>Dovecot's POP3 process, run over stdin/stdout: Debian keeps it off PATH, in lib/dovecot.</summary>
    public static ExternalProgram DovecotPop3 { get; } = new("pop3", "dovecot-pop3d") { Home = ExternalProgramHome.DovecotLibexec, Title = "Dovecot's pop3" };

    /// <summary>Dovecot's IMAP process: its presence says the daemon can serve IMAP (Debian keeps it in lib/dovecot).</summary>
    public static ExternalProgram DovecotImap { get; } = new("imap", "dovecot-imapd") { Home = ExternalProgramHome.DovecotLibexec, Title = "Dovecot's imap" };

    /// <summary>PostgreSQL's initdb: Debian keeps it off PATH, in the folder <c>pg_config --bindir</c> names.</summary>
    public static ExternalProgram Initdb { get; } = new("initdb", "postgresql-15") { Home = ExternalProgramHome.PostgreSqlBinDir };

    /// <summary>PostgreSQL's pg_ctl, found as <see cref="Initdb"/> is.</summary>
    public static ExternalProgram PgCtl { get; } = new("pg_ctl", "postgresql-15") { Home = ExternalProgramHome.PostgreSqlBinDir };

    /// <summary>PgBouncer, the PostgreSQL connection pooler (in /usr/sbin on Debian, on root's PATH).</summary>
    public static ExternalProgram PgBouncer { get; } = new("pgbouncer", "pgbouncer");

    /// <summary>The programs above a test may name by file name alone (not Dovecot's pop3: that name says too little).</summary>
    public static IReadOnlyList<ExternalProgram> Known { get; } =
        [Curl, Fetchmail, Mpop, OpenSsl, Python3, Unzip, Doveadm, Dovecot, Stat, Chown, Runuser, Haproxy, Swaks, Postfix, Initdb, PgCtl, PgBouncer, Chromium, ChromeDriver];

    /// <summary>Where the program is looked for after PATH, for programs a distribution keeps off PATH.</summary>
    public ExternalProgramHome Home { get; init; } = ExternalProgramHome.Path;

    /// <summary>What a reason calls the program; its file name unless that alone would not say which program it is.</summary>
    public string Title { get => field ?? Name; init; }

    /// <summary>What a test without this program says: <c>needs fetchmail (Debian package fetchmail)</c>.</summary>
    public string Needs => $"needs {Title} (Debian package {DebianPackage})";

    /// <summary>The full path of the program; a skip, or a failure when programs are required, if it is not installed.</summary>
    public string Locate() => ExternalProgramLookup.FromEnvironment.Locate(this);

    /// <summary>The known program called <paramref name="name"/>, or a new one provided by <paramref name="debianPackage"/>.</summary>
    public static ExternalProgram Named(string name, string debianPackage) =>
        Known.FirstOrDefault(program => program.Name == name) ?? new ExternalProgram(name, debianPackage);
}
