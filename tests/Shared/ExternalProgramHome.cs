namespace Pop3.Tests;

/// <summary>Where an <see cref="ExternalProgram"/> is looked for once PATH has not got it.</summary>
internal enum ExternalProgramHome
{
    /// <summary>PATH only.</summary>
    Path,

    /// <summary>PostgreSQL's server programs: the folder that <c>pg_config --bindir</c> prints (pg_config found on PATH).</summary>
    PostgreSqlBinDir,

    /// <summary>Dovecot's helper processes: <c>lib/dovecot</c> beside the folder that holds doveadm or dovecot on PATH
    /// (/usr/bin/doveadm gives /usr/lib/dovecot).</summary>
    DovecotLibexec,
}
