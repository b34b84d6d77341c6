using Pop3.Kestrel.Delivery;

namespace Pop3.Kestrel.UsersFile;

/// <summary>
/// The users of the users file (<c>Pop3:Authentication:UsersFile</c>, as the authenticator last read it) exist;
/// their mailbox is the name as written in the file. A <c>nologin</c> user still receives mail.
/// </summary>
internal sealed class UsersFileUserDirectory(UsersFileAuthenticator users) : IPop3UserDirectory
{
    public ValueTask<string?> FindMailboxAsync(string user, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Find(users.Users, user));

    /// <summary>The mailbox of <paramref name="user"/> in <paramref name="file"/>, or null.</summary>
    public static string? Find(Pop3UsersFile file, string user) =>
        user.Length > 0 && file.TryGetUser(user, out var entry) ? entry.User : null;
}
