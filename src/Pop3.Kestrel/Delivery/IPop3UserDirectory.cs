namespace Pop3.Kestrel.Delivery;

/// <summary>
/// Who exists: the configured users decide which recipients mail is accepted for. The users file registers one
/// (<c>AddUsersFile()</c>); register your own to look users up elsewhere. A singleton.
/// </summary>
public interface IPop3UserDirectory
{
    /// <summary>
    /// The mailbox that mail for <paramref name="user"/> goes to (the name as the store knows it), or null when there
    /// is no such user. Throws when the directory cannot be asked; the sender is then told to try again later.
    /// </summary>
    ValueTask<string?> FindMailboxAsync(string user, CancellationToken cancellationToken);
}
