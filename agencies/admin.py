from django.contrib import admin

from .models import Agency, ApiToken, AuditRecord, Membership, SigningKey


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "kind", "created_at"]
    list_filter = ["kind", "country"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["agency", "role"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "role", "prefix", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["agency", "role"]
    readonly_fields = ["token_hash", "prefix", "created_at", "last_used_at"]


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "agency", "valid_from", "valid_until", "revoked_at", "custodial"]
    list_filter = ["agency"]
    readonly_fields = ["kid", "public_jwk", "created_at"]

    @admin.display(boolean=True)
    def custodial(self, key: SigningKey) -> bool:
        return key.custodial


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "actor", "agency", "action", "object_type", "object_id"]
    list_filter = ["action", "agency"]
    search_fields = ["object_id", "actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
