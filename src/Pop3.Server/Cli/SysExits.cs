namespace Pop3.Server.Cli;

/// <summary>Exit codes from sysexits.h, as MTAs such as Postfix read them from a mailbox_command.</summary>
internal static class SysExits
{
    public const int Ok = 0;

    /// <summary>Anything else that went wrong: a listener that cannot bind, an I/O failure at start-up.</summary>
    public const int Failure = 1;

    /// <summary>Wrong arguments.</summary>
    public const int Usage = 64;

    /// <summary>The input could not be read.</summary>
    public const int DataError = 65;

    /// <summary>No such user: the MTA bounces the message.</summary>
    public const int NoUser = 67;

    /// <summary>The configured store cannot take mail this way.</summary>
    public const int Unavailable = 69;

    /// <summary>Configuration error.</summary>
    public const int Config = 78;

    /// <summary>Try again later: the MTA keeps the message queued.</summary>
    public const int TempFail = 75;
}
