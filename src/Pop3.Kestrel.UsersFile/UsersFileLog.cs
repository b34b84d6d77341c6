using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.UsersFile;

/// <summary>Log lines of the users file. None of them carries a password or a hash.</summary>
internal static partial class UsersFileLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Users file {Path}, line {LineNumber}: {Reason}; the line is skipped")]
    public static partial void BadLine(ILogger logger, string path, int lineNumber, string reason);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Read {UserCount} users from {Path} ({BadLineCount} bad lines skipped)")]
    public static partial void Loaded(ILogger logger, int userCount, string path, int badLineCount);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Could not read the users file {Path}; keeping the {UserCount} users read before")]
    public static partial void ReloadFailed(ILogger logger, Exception exception, string path, int userCount);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Cannot watch {Path} for changes; it is re-read when its time stamp or size changes")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Debug, Message = "User {User} gave the right password but has nologin")]
    public static partial void NoLogin(ILogger logger, string user);
}
