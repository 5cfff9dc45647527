# Yandex SpeechKit as the speech provider (var.speech_provider = "speechkit"): recognitions stay in Yandex Cloud's
# Russian regions. SpeechKit reads each recording straight from the media bucket with the IAM token of the function
# that asks (Cloud Functions hands it over in the invocation context): no presigned URL, no key. So the accounts of
# the functions that submit and poll (the "provider" capability) get, and only with SpeechKit:
#  - ai.speechkit-stt.user on the folder: "allows you to use SpeechKit for speech recognition" (_roles/ai/speechkit-stt/user.md;
#    SpeechKit has no narrower scope than the folder);
#  - storage.viewer on the media bucket only (Yandex's setup names storage.uploader on the folder; reading is all
#    SpeechKit does with it, and the bucket-level grant keeps every other bucket out of reach);
#  - kms.keys.decrypter on the media bucket's key ("kms.keys.decrypter … for bucket object encryption and
#    decryption", transcribation.md): the recordings are encrypted with it.
locals {
  speechkit_callers = var.speech_provider == "speechkit" ? toset([
    for name, fn in local.functions : name if contains(fn.capabilities, "provider")
  ]) : toset([])
}

resource "yandex_resourcemanager_folder_iam_member" "functions_use_speechkit" {
  for_each  = local.speechkit_callers
  folder_id = var.folder_id
  role      = "ai.speechkit-stt.user"
  member    = "serviceAccount:${yandex_iam_service_account.function[each.key].id}"
}

resource "yandex_storage_bucket_iam_binding" "speechkit_reads_media" {
  count   = length(local.speechkit_callers) > 0 ? 1 : 0
  bucket  = yandex_storage_bucket.media.bucket
  role    = "storage.viewer"
  members = [for name in local.speechkit_callers : "serviceAccount:${yandex_iam_service_account.function[name].id}"]
}

resource "yandex_kms_symmetric_key_iam_member" "speechkit_decrypts_media" {
  for_each         = local.speechkit_callers
  symmetric_key_id = yandex_kms_symmetric_key.media.id
  role             = "kms.keys.decrypter"
  member           = "serviceAccount:${yandex_iam_service_account.function[each.key].id}"
}
