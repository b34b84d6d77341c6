namespace Pop3.Kestrel.Sessions;

/// <summary>Per-user LOGIN-DELAY and EXPIRE values (RFC 2449 §6.5, §6.7). Register one to make them vary by user.</summary>
public interface IPop3UserPolicy
{
    /// <summary>The settings of <paramref name="user"/>; a null member means the global value.</summary>
    ValueTask<Pop3UserSettings> GetSettingsAsync(string user, CancellationToken cancellationToken);
}
