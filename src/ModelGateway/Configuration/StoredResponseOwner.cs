namespace ModelGateway.Configuration;

/// <summary>Who may read, continue or delete a stored Responses API response (<c>Limits:StoredResponseOwner</c>).</summary>
public enum StoredResponseOwner
{
    /// <summary>Only the key that created it.</summary>
    Key,

    /// <summary>The key that created it and every key of its team (a team-less key's responses stay its own).</summary>
    Team,
}
