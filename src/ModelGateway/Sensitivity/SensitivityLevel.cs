namespace ModelGateway.Sensitivity;

/// <summary>How sensitive a request's data is; ordered from least to most sensitive.</summary>
public enum SensitivityLevel
{
    Public,
    Internal,
    Confidential,
    Restricted,
}
